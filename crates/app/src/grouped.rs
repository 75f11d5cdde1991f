//! Group commit: requests of one kind are queued to one task, which takes every request
//! waiting and handles them together (one statement or one transaction for the group),
//! then answers each caller. Under load, the cost of a write is shared by the group; a
//! lone request is handled at once.

use puentes_core::{Error, Result};
use std::{
    future::Future,
    sync::{Arc, OnceLock},
};
use tokio::sync::{mpsc, oneshot};

/// Requests waiting for the task at most; a caller waits for room beyond.
const QUEUE_LIMIT: usize = 1_024;

type Answer<O> = oneshot::Sender<Result<O>>;
/// A request and where its outcome goes.
type Waiting<I, O> = (I, Answer<O>);

/// What handles a group: one outcome per request, in order.
pub(crate) trait GroupHandler<I, O>: Clone + Send + Sync + 'static {
    /// Requests handled together at most.
    const GROUP_LIMIT: usize;

    fn handle(&self, group: Vec<I>) -> impl Future<Output = Vec<Result<O>>> + Send;
}

/// The queue of one kind of request, its task started on first use. The task holds only
/// its handler, so it ends once every holder of the queue is gone.
pub(crate) struct Grouped<I, O>(Arc<OnceLock<mpsc::Sender<Waiting<I, O>>>>);

impl<I, O> Default for Grouped<I, O> {
    fn default() -> Self {
        Grouped(Arc::default())
    }
}

impl<I, O> Clone for Grouped<I, O> {
    fn clone(&self) -> Self {
        Grouped(self.0.clone())
    }
}

impl<I: Send + 'static, O: Send + 'static> Grouped<I, O> {
    /// Handles `request` with whatever else is waiting, through `handler` (the first
    /// caller's handler serves every later request).
    pub(crate) async fn submit<H: GroupHandler<I, O>>(&self, handler: &H, request: I) -> Result<O> {
        let queue = self.0.get_or_init(|| {
            let (queue, waiting) = mpsc::channel(QUEUE_LIMIT);
            tokio::spawn(handle_groups(handler.clone(), waiting));
            queue
        });
        let (answer, outcome) = oneshot::channel();
        match queue.send((request, answer)).await {
            Ok(()) => outcome.await.unwrap_or_else(|_| Err(stopped())),
            // The task is gone (its runtime ended before this one): handle it here.
            Err(mpsc::error::SendError((request, _))) => handler
                .handle(vec![request])
                .await
                .pop()
                .unwrap_or_else(|| Err(stopped())),
        }
    }
}

fn stopped() -> Error {
    Error::internal("a group writer stopped before it answered")
}

async fn handle_groups<I, O, H: GroupHandler<I, O>>(
    handler: H,
    mut waiting: mpsc::Receiver<Waiting<I, O>>,
) {
    let mut group = Vec::with_capacity(H::GROUP_LIMIT);
    while waiting.recv_many(&mut group, H::GROUP_LIMIT).await > 0 {
        let (requests, answers): (Vec<I>, Vec<Answer<O>>) = group.drain(..).unzip();
        let mut outcomes = handler.handle(requests).await.into_iter();
        for answer in answers {
            let _ = answer.send(outcomes.next().unwrap_or_else(|| Err(stopped())));
        }
    }
}
