//! Joint statements across instances: lifecycle with a co-initiator, endorsement policy,
//! withdrawal into the revocations, revisions, copies that outlive their origin, anonymous
//! endorsements, and tampered endorsements refused and reported.

use crate::on_every_backend;
use puentes_app::statements::{Admission, Draft, Endorsed};
use puentes_apub::statements::verify::{Check, verify};
use puentes_core::{EndorsementStatus, ErrorKind, InvitationRole};
use puentes_db::query::statement as s;
use puentes_tests::{Backend, FakeRemote, OP, TestInstance, TestNetwork};
use serde_json::{Value, json};

fn draft(title: &str, policy: &str) -> Draft {
    Draft {
        title: title.into(),
        text: "Las personas migrantes tienen derechos.\n\nPedimos vías seguras.".into(),
        ask: Some("We ask parliament to open safe routes.".into()),
        language: Some("es".into()),
        translations: vec![("en".into(), "Migrants have rights.".into())],
        policy: Some(policy.parse().expect("policy")),
        deadline: None,
    }
}

/// Head of a collection (total, anonymous count) and the items of its first page.
async fn collection(instance: &TestInstance, url: &str) -> (u64, u64, Vec<Value>) {
    let path = url
        .strip_prefix(&instance.base())
        .expect("a local collection");
    let (status, head) = instance.get_json(path).await;
    assert_eq!(status, 200, "{url}: {head}");
    let (_, page) = instance.get_json(&format!("{path}?page=1")).await;
    (
        head["totalItems"].as_u64().unwrap(),
        head["anonymousItems"].as_u64().unwrap_or(0),
        page["orderedItems"].as_array().cloned().unwrap_or_default(),
    )
}

fn actors(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|i| i["actor"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Our copy of a remote statement's version `number`, as served here.
async fn copy_url(instance: &TestInstance, statement_url: &str, number: i32) -> String {
    let row = s::by_url(instance.db(), statement_url)
        .await
        .unwrap()
        .expect("a copy is kept");
    assert!(!row.local);
    format!("{}/statements/{}/v/{number}", instance.base(), row.uuid)
}

async fn statement_scenario(backend: &Backend) {
    let mut net = TestNetwork::start(backend, 3).await;
    let (i1, i2, i3) = (net.get(0), net.get(1), net.get(2));
    i1.create_open_alliance("red").await;
    i2.create_actor("sol", "organization").await;
    i3.create_actor("luna", "organization").await;
    i3.create_actor("lector", "organization").await;
    i2.instance
        .app
        .join_alliance(&OP, "sol", &i1.handle("red"))
        .await
        .unwrap();
    // Someone follows sol, so sol's boost of what it endorses has an audience.
    i3.instance
        .app
        .follow(&OP, "lector", &i2.handle("sol"))
        .await
        .unwrap();
    net.settle().await;

    // Draft, co-initiator on another instance, who must confirm before it opens.
    let row = i1
        .instance
        .app
        .create_statement(&OP, "red", draft("Vías seguras", "members"))
        .await
        .unwrap();
    let statement_url = row.ap_url.clone();
    i1.instance
        .app
        .invite_to_statement(&OP, &row.uuid, &i2.handle("sol"), InvitationRole::Initiator)
        .await
        .unwrap();
    net.settle().await;
    let waiting = i1
        .instance
        .app
        .open_statement(&OP, &row.uuid)
        .await
        .unwrap_err();
    assert_eq!(waiting.kind(), ErrorKind::Conflict);
    assert!(waiting.message().contains("sol@"), "{waiting}");
    i2.instance
        .app
        .answer_statement_invitation(&OP, "sol", &statement_url, true)
        .await
        .unwrap();
    net.settle().await;
    let v1 = i1
        .instance
        .app
        .open_statement(&OP, &row.uuid)
        .await
        .unwrap();
    net.settle().await;
    let (_, doc) = i1.get_json(&format!("/statements/{}", row.uuid)).await;
    assert_eq!(doc["id"], v1.ap_id);
    assert_eq!(
        doc["initiators"],
        json!([i1.actor_url("red"), i2.actor_url("sol")])
    );
    assert!(doc["proof"]["proofValue"].is_string());
    // `content` reads whole where only it is shown (GoToSocial, Misskey): title, text,
    // address; `name` keeps the title and the summary no longer repeats the address.
    let link = format!("<p><a href=\"{statement_url}\">{statement_url}</a></p>");
    assert_eq!(
        doc["contentMap"]["en"],
        format!("<p><strong>Vías seguras</strong></p><p>Migrants have rights.</p>\n{link}")
    );
    let content = doc["content"].as_str().unwrap();
    assert!(
        content.starts_with("<p><strong>Vías seguras</strong></p><p>Las personas migrantes")
            && content.ends_with(&link),
        "{content}"
    );
    assert_eq!(doc["name"], "Vías seguras");
    assert!(!doc["summary"].as_str().unwrap().contains("href"));
    // The co-initiator adds a translation from its own instance; an outsider cannot.
    i2.instance
        .app
        .translate_statement(
            &OP,
            Some("sol"),
            &statement_url,
            "fr",
            "Les personnes migrantes ont des droits.",
        )
        .await
        .unwrap();
    let outsider = i3
        .instance
        .app
        .translate_statement(&OP, Some("luna"), &statement_url, "de", "Nein")
        .await
        .unwrap_err();
    assert_eq!(outsider.kind(), ErrorKind::Forbidden, "{outsider}");
    net.settle().await;
    let (_, translated) = i1.get_json(&format!("/statements/{}", row.uuid)).await;
    assert!(
        translated["translations"]["fr"]
            .as_str()
            .unwrap()
            .contains("ont des droits")
    );
    assert_eq!(translated["id"], v1.ap_id);
    let summary = doc["summary"].as_str().unwrap();
    assert!(
        summary.contains("We ask parliament to open safe routes."),
        "{summary}"
    );
    assert!(summary.contains("No endorsements yet"), "{summary}");

    // A member is accepted at once; an outsider is held for the secretariat.
    let sent = i2
        .instance
        .app
        .endorse(&OP, "sol", &statement_url, false, None)
        .await
        .unwrap();
    assert!(matches!(sent, Endorsed::Sent(_)));
    i3.instance
        .app
        .endorse(
            &OP,
            "luna",
            &format!("{}/@red/statements/{}", i1.base(), row.uuid),
            false,
            Some("Con todo nuestro apoyo"),
        )
        .await
        .unwrap();
    net.settle().await;
    let held = i1
        .instance
        .app
        .held_endorsements(&OP, &row.uuid)
        .await
        .unwrap();
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].1.ap_id, i3.actor_url("luna"));
    i1.instance
        .app
        .decide_endorsement(&OP, &row.uuid, &i3.handle("luna"), true)
        .await
        .unwrap();
    net.settle().await;

    // The copies received the refreshed summary with the new count.
    let copy = copy_url(i3, &statement_url, 1).await;
    let (_, kept) = i3.get_json(copy.strip_prefix(&i3.base()).unwrap()).await;
    let kept_summary = kept["object"]["summary"].as_str().unwrap();
    assert!(
        kept_summary.contains("Endorsed by 2 organisations"),
        "{kept_summary}"
    );
    let endorsements = doc["endorsements"].as_str().unwrap().to_string();
    let revocations = doc["revocations"].as_str().unwrap().to_string();
    let (total, anonymous, items) = collection(i1, &endorsements).await;
    assert_eq!((total, anonymous), (2, 0));
    assert_eq!(
        actors(&items),
        vec![i2.actor_url("sol"), i3.actor_url("luna")]
    );
    assert!(
        items
            .iter()
            .all(|i| i["proof"]["cryptosuite"] == "eddsa-jcs-2022")
    );
    // The endorsers' instances know they were accepted; sol boosted to its follower.
    let sol_row = s::endorsement_by_ap_id(i2.db(), items[0]["id"].as_str().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(sol_row.status, EndorsementStatus::Accepted);
    let announce =
        puentes_db::query::activity::by_ap_id(i2.db(), &format!("{}#boost", sol_row.ap_id))
            .await
            .unwrap()
            .expect("sol boosted the statement");
    assert!(announce.json.contains(&v1.ap_id));

    // Revision: the new version starts from zero, the old one keeps its two.
    let v2 = i1
        .instance
        .app
        .revise_statement(&OP, &row.uuid, "Texto revisado: vías seguras ya.", None)
        .await
        .unwrap();
    net.settle().await;
    assert_ne!(v2.ap_id, v1.ap_id);
    assert_ne!(v2.digest, v1.digest);
    let (_, doc2) = i1.get_json(&format!("/statements/{}", row.uuid)).await;
    assert_eq!(doc2["id"], v2.ap_id);
    let (total2, _, items2) = collection(i1, doc2["endorsements"].as_str().unwrap()).await;
    assert_eq!((total2, items2.len()), (0, 0));
    let (total1, _, _) = collection(i1, &endorsements).await;
    assert_eq!(total1, 2);
    let (_, old) = i1.get_json(&format!("/statements/{}/v/1", row.uuid)).await;
    assert_eq!(old["supersededBy"], v2.ap_id);
    assert_eq!(old["statementStatus"], "superseded");
    let late = i3
        .instance
        .app
        .endorse(&OP, "lector", &v1.ap_id, false, None)
        .await
        .unwrap_err();
    assert_eq!(late.kind(), ErrorKind::Conflict, "{late}");

    // Endorsing the new text is a new, explicit act; twice is refused.
    i2.instance
        .app
        .endorse(&OP, "sol", &statement_url, false, None)
        .await
        .unwrap();
    let twice = i2
        .instance
        .app
        .endorse(&OP, "sol", &statement_url, false, None)
        .await
        .unwrap_err();
    assert_eq!(twice.kind(), ErrorKind::Conflict, "{twice}");
    net.settle().await;
    let (total2, _, items2) = collection(i1, doc2["endorsements"].as_str().unwrap()).await;
    assert_eq!((total2, actors(&items2)), (1, vec![i2.actor_url("sol")]));

    // luna withdraws its endorsement of version 1.
    let withdrawn = i3
        .instance
        .app
        .withdraw_endorsement(&OP, "luna", &statement_url)
        .await
        .unwrap();
    net.settle().await;
    let (total1, _, items1) = collection(i1, &endorsements).await;
    assert_eq!(total1, 1);
    assert_eq!(actors(&items1), vec![i2.actor_url("sol")]);
    let (revoked_total, _, revoked) = collection(i1, &revocations).await;
    assert_eq!(revoked_total, 1);
    assert_eq!(revoked[0]["type"], "Undo");
    assert_eq!(revoked[0]["object"], withdrawn.ap_id);
    let path = withdrawn.ap_id.strip_prefix(&i3.base()).unwrap();
    assert_eq!(i3.get_json(path).await.0, 410);

    // Copies on the other instances agree with the origin.
    for copy_holder in [i2, i3] {
        let copy = copy_url(copy_holder, &statement_url, 1).await;
        let (_, wrapper) = copy_holder
            .get_json(copy.strip_prefix(&copy_holder.base()).unwrap())
            .await;
        assert_eq!(wrapper["type"], "StatementCopy");
        assert_eq!(wrapper["copyOf"], v1.ap_id);
        let (total, _, items) =
            collection(copy_holder, wrapper["endorsements"].as_str().unwrap()).await;
        assert_eq!((total, actors(&items)), (1, vec![i2.actor_url("sol")]));
        let (revoked, _, _) =
            collection(copy_holder, wrapper["revocations"].as_str().unwrap()).await;
        assert_eq!(revoked, 1);
    }

    // Independent verification agrees, from the origin...
    let report = verify(&i3.instance.ctx, &v1.ap_id).await.unwrap();
    assert!(report.passed(), "{report}");
    assert_eq!(report.verified(), 1);
    assert_eq!(report.revocations.len(), 1);
    assert_eq!(report.revocations[0].check, Check::Revoked);
    assert_eq!(report.owner_proof, Check::Verified);

    // ...and from a copy once the origin is gone.
    let copy = copy_url(net.get(1), &statement_url, 1).await;
    net.instances[0].stop().await;
    let (i2, i3) = (net.get(1), net.get(2));
    let report = verify(&i3.instance.ctx, &copy).await.unwrap();
    assert!(report.passed(), "{report}");
    assert!(report.copy);
    assert_eq!(report.verified(), 1);
    assert_eq!(report.endorsements[0].actor, i2.actor_url("sol"));
    assert_eq!(report.endorsements[0].check, Check::Verified);
    assert_eq!(report.owner_proof, Check::VerifiedWithKeptKey);
    assert_eq!(report.revocations[0].check, Check::Revoked);
    let text = report.to_string();
    assert!(text.contains("Result: OK"), "{text}");
    net.stop_all().await;
}

#[tokio::test]
async fn statements_are_endorsed_withdrawn_revised_and_verified_from_copies() {
    on_every_backend!(statement_scenario);
}

async fn anonymous_scenario(backend: &Backend) {
    let net = TestNetwork::start(backend, 2).await;
    let (i1, i2) = (net.get(0), net.get(1));
    i1.create_actor("red", "alliance").await;
    i2.create_actor("discreta", "organization").await;
    // An alliance endorses as a Group (its secretariat runs the command).
    i2.create_open_alliance("visible").await;
    i2.create_actor("miembro", "organization").await;
    i2.instance
        .app
        .join_alliance(&OP, "miembro", &i2.handle("visible"))
        .await
        .unwrap();
    let row = i1
        .instance
        .app
        .create_statement(&OP, "red", draft("Sin nombres", "anyone"))
        .await
        .unwrap();
    i1.instance
        .app
        .open_statement(&OP, &row.uuid)
        .await
        .unwrap();
    net.settle().await;
    i2.instance
        .app
        .endorse(&OP, "discreta", &row.ap_url, true, None)
        .await
        .unwrap();
    i2.instance
        .app
        .endorse(&OP, "visible", &row.ap_url, false, None)
        .await
        .unwrap();
    net.settle().await;

    let hidden = i2.actor_url("discreta");
    let (_, doc) = i1.get_json(&format!("/statements/{}", row.uuid)).await;
    assert!(
        doc["summary"]
            .as_str()
            .unwrap()
            .contains("Endorsed by 2 organisations (1 without being named)")
    );
    let endorsements = doc["endorsements"].as_str().unwrap();
    let (total, anonymous, items) = collection(i1, endorsements).await;
    assert_eq!((total, anonymous), (2, 1));
    assert_eq!(actors(&items), vec![i2.actor_url("visible")]);

    // Named nowhere public: documents, collections, pages, the endorser's own outbox, copies.
    let copy = copy_url(i2, &row.ap_url, 1).await;
    let mut public = vec![
        (i1, format!("/statements/{}", row.uuid)),
        (
            i1,
            format!("{}?page=1", endorsements.strip_prefix(&i1.base()).unwrap()),
        ),
        (
            i1,
            format!("/statements/{}/v/1/revocations?page=1", row.uuid),
        ),
        (i2, copy.strip_prefix(&i2.base()).unwrap().to_string()),
        (
            i2,
            format!(
                "{}/endorsements?page=1",
                copy.strip_prefix(&i2.base()).unwrap()
            ),
        ),
    ];
    public.push((i1, format!("/@red/statements/{}", row.uuid)));
    // The endorser's own outbox does not show the endorsement either.
    let (_, outbox) = i2.get_json("/actors/discreta/outbox?page=1").await;
    assert!(!outbox.to_string().contains("Endorse"), "{outbox}");
    for (instance, path) in public {
        let body = instance.get_page(&path).await;
        assert!(
            !body.contains(&hidden),
            "{path} names the anonymous endorser"
        );
        assert!(
            !body.contains("discreta"),
            "{path} names the anonymous endorser"
        );
    }
    let html = i1.get_page(&format!("/@red/statements/{}", row.uuid)).await;
    assert!(html.contains("1 not named at the endorser"), "{html}");
    assert!(html.contains("visible display"), "{html}");
    assert!(html.contains("· alliance of 1 member"), "{html}");
    let profile = i1.get_page("/@red").await;
    assert!(
        profile.contains("Sin nombres") && profile.contains(&row.uuid),
        "the profile lists it"
    );
    // The owner keeps the signed activity; the export counts it without naming it.
    let kept = s::endorsements_of_statement(i1.db(), row.id, &[EndorsementStatus::Accepted])
        .await
        .unwrap();
    let signed = kept
        .iter()
        .find(|(e, _)| e.anonymous)
        .expect("kept by the owner");
    assert!(signed.0.activity.contains("proofValue"));
    let (named, anonymous) = i1.instance.app.signatories(&row.uuid).await.unwrap();
    assert_eq!((named.len(), anonymous), (1, 1));
    assert_eq!(named[0].actor, i2.actor_url("visible"));
    let report = verify(&i2.instance.ctx, &copy).await.unwrap();
    assert!(report.passed(), "{report}");
    assert_eq!((report.verified(), report.anonymous), (1, 1));
}

#[tokio::test]
async fn anonymous_endorsements_are_counted_but_never_named() {
    on_every_backend!(anonymous_scenario);
}

async fn tampering_scenario(backend: &Backend) {
    let net = TestNetwork::start(backend, 1).await;
    let i1 = net.get(0);
    i1.create_actor("red", "alliance").await;
    let row = i1
        .instance
        .app
        .create_statement(&OP, "red", draft("Integridad", "anyone"))
        .await
        .unwrap();
    let version = i1
        .instance
        .app
        .open_statement(&OP, &row.uuid)
        .await
        .unwrap();
    net.settle().await;
    let (_, statement) = i1.get_json(&format!("/statements/{}", row.uuid)).await;

    let remote = FakeRemote::start().await;
    let template = puentes_tests::fixture("mastodon/objects/person.json");
    let ngo = remote.add_signing_actor("/users/ngo", &template);
    let endorse = |id: &str, digest: &str, note: &str| {
        json!({
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/data-integrity/v2",
                         { "Endorse": "https://puentes.network/ns#Endorse" }],
            "id": format!("{}/endorse/{id}", remote.base), "type": "Endorse", "actor": ngo,
            "object": version.ap_id, "digestMultibase": digest, "content": note,
            "to": [i1.actor_url("red")],
        })
    };
    let inbox = format!("{}/inbox", i1.base());

    // Content changed after signing, proof kept.
    let mut tampered = remote.prove(&ngo, endorse("1", &version.digest, "<p>We endorse</p>"));
    tampered["content"] = json!("<p>We reject this statement</p>");
    let (status, body) = remote.post(&inbox, &ngo, &tampered).await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("does not verify"), "{body}");
    // Properly signed, but over another text.
    let wrong_digest = remote.prove(
        &ngo,
        endorse(
            "2",
            "zQmYtUc4iTCbbfVSDNKvtQqrfyezPPnFvE33wFmutw9PBBk",
            "<p>Yes</p>",
        ),
    );
    let (status, body) = remote.post(&inbox, &ngo, &wrong_digest).await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("digestMultibase"), "{body}");
    let stored = s::endorsements_of_statement(
        i1.db(),
        row.id,
        &[
            EndorsementStatus::Pending,
            EndorsementStatus::Accepted,
            EndorsementStatus::Rejected,
        ],
    )
    .await
    .unwrap();
    assert!(stored.is_empty(), "nothing tampered is kept");
    // The same endorser's honest endorsement is accepted: the refusals were about content.
    let honest = remote.prove(&ngo, endorse("3", &version.digest, "<p>We endorse</p>"));
    let (status, body) = remote.post(&inbox, &ngo, &honest).await;
    assert_eq!(status, 202, "{body}");
    net.settle().await;
    let (_, _, items) = collection(i1, statement["endorsements"].as_str().unwrap()).await;
    assert_eq!(actors(&items), vec![ngo.clone()]);

    // A dishonest copy lists the tampered and wrong-digest entries beside the honest one:
    // `puentes verify` names both failures.
    remote.add_document(
        "/copy",
        json!({ "type": "StatementCopy", "id": format!("{}/copy", remote.base), "object": statement,
                "endorsements": format!("{}/copy/endorsements", remote.base),
                "revocations": format!("{}/copy/revocations", remote.base) }),
    );
    remote.add_document(
        "/copy/endorsements",
        json!({ "type": "OrderedCollection", "totalItems": 3,
                "orderedItems": [honest, tampered, wrong_digest] }),
    );
    remote.add_document(
        "/copy/revocations",
        json!({ "type": "OrderedCollection", "totalItems": 0, "orderedItems": [] }),
    );
    let report = verify(&i1.instance.ctx, &format!("{}/copy", remote.base))
        .await
        .unwrap();
    assert!(!report.passed(), "{report}");
    assert_eq!(report.verified(), 1);
    let reasons: Vec<String> = report
        .endorsements
        .iter()
        .filter_map(|e| match &e.check {
            Check::Failed(reason) => Some(reason.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(reasons.len(), 2, "{report}");
    assert!(reasons[0].contains("signature does not match"), "{report}");
    assert!(reasons[1].contains("digestMultibase"), "{report}");
    assert!(report.to_string().contains("Result: FAILED"));

    // Only co-initiators add translations.
    let forged = json!({ "id": format!("{}/add/1", remote.base), "type": "Add", "actor": ngo,
        "object": { "type": "Note", "attributedTo": ngo, "contentMap": { "fr": "<p>Faux</p>" } },
        "target": version.ap_id });
    assert_eq!(remote.post(&inbox, &ngo, &forged).await.0, 403);

    // A Mastodon user's Like counts as an unverified supporter, apart from endorsements.
    let fan = remote.add_actor("/users/fan", &template);
    let like = json!({ "id": format!("{}/likes/1", remote.base), "type": "Like", "actor": fan,
                       "object": version.ap_id });
    assert_eq!(remote.post(&inbox, &fan, &like).await.0, 202);
    assert_eq!(
        remote.post(&inbox, &fan, &like).await.0,
        202,
        "a repeat is harmless"
    );
    net.settle().await;
    let (_, liked) = i1.get_json(&format!("/statements/{}", row.uuid)).await;
    assert_eq!(liked["likes"]["totalItems"], 1);
    assert_eq!(liked["endorsementCount"], 1);
    let summary = liked["summary"].as_str().unwrap();
    assert!(
        summary.contains("Endorsed by 1 organisation; 1 supporter on the fediverse (unverified)"),
        "{summary}"
    );
    let undo = json!({ "id": format!("{}/likes/1/undo", remote.base), "type": "Undo", "actor": fan,
                       "object": like });
    assert_eq!(remote.post(&inbox, &fan, &undo).await.0, 202);
    let (_, unliked) = i1.get_json(&format!("/statements/{}", row.uuid)).await;
    assert_eq!(unliked["likes"]["totalItems"], 0);
    // The owner's followers and the endorser heard of the new counts through Updates.
    let updates: Vec<Value> = remote
        .received()
        .into_iter()
        .map(|(_, activity)| activity)
        .filter(|a| a["type"] == "Update" && a["object"]["id"] == version.ap_id)
        .collect();
    assert!(
        !updates.is_empty(),
        "the endorser received the refreshed statement"
    );
    assert!(
        updates.last().unwrap()["object"]["summary"]
            .as_str()
            .unwrap()
            .contains("1 supporter on the fediverse")
    );
}

#[tokio::test]
async fn tampered_endorsements_are_refused_and_reported() {
    on_every_backend!(tampering_scenario);
}

/// How `name`'s endorsement of the statement stands, as its own instance records it.
async fn endorsement_status(
    instance: &TestInstance,
    statement_url: &str,
    name: &str,
) -> Option<String> {
    let actor = instance.actor(name).await;
    let row = s::by_url(instance.db(), statement_url).await.unwrap()?;
    let all = [
        EndorsementStatus::Pending,
        EndorsementStatus::Accepted,
        EndorsementStatus::Rejected,
        EndorsementStatus::Withdrawn,
    ];
    s::endorsements_of_statement(instance.db(), row.id, &all)
        .await
        .unwrap()
        .into_iter()
        .find(|(_, a)| a.id == actor.id)
        .map(|(e, _)| e.status)
}

async fn policy_scenario(backend: &Backend) {
    let net = TestNetwork::start(backend, 2).await;
    let (i1, i2) = (net.get(0), net.get(1));
    i1.create_actor("red", "alliance").await;
    i1.create_actor("vecina", "organization").await;
    for name in ["invitada", "otra", "lenta"] {
        i2.create_actor(name, "organization").await;
    }
    let row = i1
        .instance
        .app
        .create_statement(&OP, "red", draft("Solo invitadas", "invited"))
        .await
        .unwrap();
    let version = i1
        .instance
        .app
        .open_statement(&OP, &row.uuid)
        .await
        .unwrap();
    i1.instance
        .app
        .invite_to_statement(
            &OP,
            &row.uuid,
            &i2.handle("invitada"),
            InvitationRole::Endorser,
        )
        .await
        .unwrap();
    let late_initiator = i1
        .instance
        .app
        .invite_to_statement(
            &OP,
            &row.uuid,
            &i2.handle("otra"),
            InvitationRole::Initiator,
        )
        .await
        .unwrap_err();
    assert_eq!(late_initiator.kind(), ErrorKind::Conflict);
    net.settle().await;

    // Invited: accepted. Not invited: rejected, and the endorser's instance is told.
    i2.instance
        .app
        .endorse(&OP, "invitada", &row.ap_url, false, None)
        .await
        .unwrap();
    i2.instance
        .app
        .endorse(&OP, "otra", &row.ap_url, false, None)
        .await
        .unwrap();
    net.settle().await;
    assert_eq!(
        endorsement_status(i2, &row.ap_url, "invitada")
            .await
            .as_deref(),
        Some(EndorsementStatus::Accepted.as_str())
    );
    assert_eq!(
        endorsement_status(i2, &row.ap_url, "otra").await.as_deref(),
        Some(EndorsementStatus::Rejected.as_str())
    );

    // An endorser on the owner's own instance is decided at once, by the same rules.
    let refused = i1
        .instance
        .app
        .endorse(&OP, "vecina", &row.uuid, false, None)
        .await
        .unwrap();
    assert!(matches!(refused, Endorsed::Decided(Admission::Rejected, _)));
    i1.instance
        .app
        .invite_to_statement(
            &OP,
            &row.uuid,
            &i1.handle("vecina"),
            InvitationRole::Endorser,
        )
        .await
        .unwrap();
    let accepted = i1
        .instance
        .app
        .endorse(&OP, "vecina", &row.uuid, false, None)
        .await
        .unwrap();
    assert!(matches!(
        accepted,
        Endorsed::Decided(Admission::Accepted, _)
    ));

    // A translation after opening is shown beside the text, outside what was signed.
    i1.instance
        .app
        .translate_statement(
            &OP,
            None,
            &row.uuid,
            "fr",
            "Les personnes migrantes ont des droits.",
        )
        .await
        .unwrap();
    net.settle().await;
    let (_, doc) = i1.get_json(&format!("/statements/{}", row.uuid)).await;
    assert_eq!(doc["id"], version.ap_id, "no new version");
    assert!(
        doc["translations"]["fr"]
            .as_str()
            .unwrap()
            .contains("droits")
    );
    assert!(doc["contentMap"].get("fr").is_none());
    let kept = s::version_by_ap_id(i2.db(), &version.ap_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.digest, version.digest);
    assert!(kept.document.unwrap().contains("ont des droits"));

    // Sent before the close, arriving after it: the owner refuses.
    i1.instance
        .app
        .invite_to_statement(
            &OP,
            &row.uuid,
            &i2.handle("lenta"),
            InvitationRole::Endorser,
        )
        .await
        .unwrap();
    net.settle().await;
    i2.instance
        .app
        .endorse(&OP, "lenta", &row.ap_url, false, None)
        .await
        .unwrap();
    i1.instance
        .app
        .close_statement(&OP, &row.uuid)
        .await
        .unwrap();
    net.settle().await;
    assert_eq!(
        endorsement_status(i2, &row.ap_url, "lenta")
            .await
            .as_deref(),
        Some(EndorsementStatus::Rejected.as_str())
    );
    let closed = i2
        .instance
        .app
        .endorse(&OP, "otra", &row.ap_url, false, None)
        .await
        .unwrap_err();
    assert_eq!(closed.kind(), ErrorKind::Conflict, "{closed}");
    let (_, doc) = i1.get_json(&format!("/statements/{}", row.uuid)).await;
    assert_eq!(doc["statementStatus"], "closed");
    assert!(
        doc["summary"]
            .as_str()
            .unwrap()
            .contains("Closed for endorsement")
    );
    assert_eq!(doc["endorsementCount"], 2);

    // A deadline: an endorsement still on its way when the deadline passes (moved back in
    // the owner's database to stand for the time gone by) is refused on arrival.
    let mut dated = draft("Con plazo", "anyone");
    dated.deadline = Some("2099-01-01T00:00:00Z".into());
    let dated = i1
        .instance
        .app
        .create_statement(&OP, "red", dated)
        .await
        .unwrap();
    i1.instance
        .app
        .open_statement(&OP, &dated.uuid)
        .await
        .unwrap();
    net.settle().await;
    i2.instance
        .app
        .endorse(&OP, "otra", &dated.ap_url, false, None)
        .await
        .unwrap();
    let mut passed: puentes_db::statement::ActiveModel =
        s::get(i1.db(), dated.id).await.unwrap().into();
    passed.deadline = sea_orm::Set(Some(chrono::Utc::now() - chrono::Duration::minutes(1)));
    sea_orm::ActiveModelTrait::update(passed, i1.db())
        .await
        .unwrap();
    net.settle().await;
    assert_eq!(
        endorsement_status(i2, &dated.ap_url, "otra")
            .await
            .as_deref(),
        Some(EndorsementStatus::Rejected.as_str())
    );
    let (_, doc) = i1.get_json(&format!("/statements/{}", dated.uuid)).await;
    assert_eq!(doc["statementStatus"], "closed");
    assert!(
        doc["summary"]
            .as_str()
            .unwrap()
            .contains("Closed for endorsement")
    );
    let past = i1
        .instance
        .app
        .create_statement(&OP, "red", {
            let mut d = draft("Plazo pasado", "anyone");
            d.deadline = Some("2001-01-01T00:00:00Z".into());
            d
        })
        .await
        .unwrap_err();
    assert_eq!(past.kind(), ErrorKind::BadRequest, "{past}");
}

#[tokio::test]
async fn endorsement_policies_translations_and_closing() {
    on_every_backend!(policy_scenario);
}
