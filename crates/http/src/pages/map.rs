//! The network map of an alliance, drawn on the server as SVG: an indented tree of who is
//! a member of whom (one actor per line, so it stays readable on a 360 px phone), each
//! actor a link. The alliance's own alliances are drawn above it.

use puentes_db::read::{ActorRef, network::Network};
use serde::Serialize;
use std::collections::BTreeSet;

/// Drawing units: the SVG scales to the width of the page.
const WIDTH: i64 = 400;
const ROW: i64 = 50;
const INDENT: i64 = 26;
const MARGIN: i64 = 14;
const MAX_ROWS: usize = 80;

#[derive(Debug, Serialize)]
pub struct Node {
    pub x: i64,
    pub y: i64,
    /// Where the label starts (after the marker; mirrored for right-to-left readers).
    pub text_x: i64,
    pub name: String,
    pub handle: String,
    pub link: Option<String>,
    pub alliance: bool,
    pub this: bool,
    /// Already drawn higher up: shown again, not expanded again.
    pub repeat: bool,
}

#[derive(Debug, Serialize)]
pub struct Map {
    pub width: i64,
    pub height: i64,
    pub nodes: Vec<Node>,
    /// SVG path data of the connectors.
    pub lines: Vec<String>,
    pub anchor: &'static str,
    /// Actors (besides this alliance) on the map.
    pub count: usize,
    pub truncated: bool,
}

fn short(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let cut: String = text.chars().take(max - 1).collect();
        format!("{cut}…")
    }
}

struct Walk<'a> {
    graph: &'a Network,
    rows: Vec<(usize, i64, Option<usize>, bool)>,
    drawn: BTreeSet<i64>,
    truncated: bool,
}

impl Walk<'_> {
    fn name_of(&self, id: i64) -> String {
        self.graph
            .nodes
            .get(&id)
            .map(|a| a.name.to_lowercase())
            .unwrap_or_default()
    }

    fn visit(&mut self, id: i64, depth: usize, parent: Option<usize>, path: &mut Vec<i64>) {
        if self.rows.len() >= MAX_ROWS {
            self.truncated = true;
            return;
        }
        let repeat = !self.drawn.insert(id);
        let row = self.rows.len();
        self.rows.push((depth, id, parent, repeat));
        if repeat || path.contains(&id) {
            return;
        }
        path.push(id);
        let mut members: Vec<i64> = self.graph.members_of(id).collect();
        members.sort_by_key(|m| self.name_of(*m));
        for member in members {
            if !path.contains(&member) {
                self.visit(member, depth + 1, Some(row), path);
            }
        }
        path.pop();
    }
}

/// Lays the network out as an indented tree, from the topmost alliances known above this
/// one (or from this one) down.
pub fn layout(graph: &Network, rtl: bool) -> Map {
    // Topmost ancestors: reachable upwards from the root, with no alliance of their own.
    let mut ancestors = BTreeSet::new();
    let mut frontier = vec![graph.root];
    while let Some(id) = frontier.pop() {
        for parent in graph.alliances_of(id) {
            if parent != graph.root && ancestors.insert(parent) {
                frontier.push(parent);
            }
        }
    }
    let mut roots: Vec<i64> = ancestors
        .iter()
        .copied()
        .filter(|a| graph.alliances_of(*a).next().is_none())
        .collect();
    if roots.is_empty() {
        roots.push(graph.root);
    }
    let mut walk = Walk {
        graph,
        rows: Vec::new(),
        drawn: BTreeSet::new(),
        truncated: false,
    };
    roots.sort_by_key(|r| walk.name_of(*r));
    for root in roots {
        walk.visit(root, 0, None, &mut Vec::new());
    }
    if !walk.drawn.contains(&graph.root) {
        walk.visit(graph.root, 0, None, &mut Vec::new());
    }
    let mirror = |x: i64| if rtl { WIDTH - x } else { x };
    let position = |depth: usize, row: usize| {
        (
            MARGIN + 8 + depth as i64 * INDENT,
            MARGIN + 12 + row as i64 * ROW,
        )
    };
    let mut nodes = Vec::new();
    let mut lines = Vec::new();
    for (row, (depth, id, parent, repeat)) in walk.rows.iter().enumerate() {
        let (x, y) = position(*depth, row);
        if let Some(p) = parent {
            let (px, py) = position(walk.rows[*p].0, *p);
            lines.push(format!(
                "M{} {}V{}H{}",
                mirror(px),
                py + 9,
                y,
                mirror(x - 9)
            ));
        }
        let empty = ActorRef {
            name: String::new(),
            handle: String::new(),
            link: None,
            avatar: None,
            alliance: false,
            local: false,
            ap_id: String::new(),
        };
        let actor = graph.nodes.get(id).unwrap_or(&empty);
        nodes.push(Node {
            x: mirror(x),
            y,
            text_x: mirror(x + 16),
            name: short(&actor.name, 30),
            handle: short(&actor.handle, 40),
            link: actor.link.clone(),
            alliance: actor.alliance,
            this: *id == graph.root,
            repeat: *repeat,
        });
    }
    Map {
        width: WIDTH,
        height: MARGIN * 2 + walk.rows.len() as i64 * ROW,
        count: walk.drawn.len().saturating_sub(1),
        nodes,
        lines,
        anchor: if rtl { "end" } else { "start" },
        truncated: walk.truncated,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn actor(name: &str, alliance: bool) -> ActorRef {
        ActorRef {
            name: name.into(),
            handle: format!("@{name}@x.example"),
            link: Some(format!("https://x.example/@{name}")),
            avatar: None,
            alliance,
            local: false,
            ap_id: format!("https://x.example/actors/{name}"),
        }
    }

    #[test]
    fn nested_alliances_are_drawn_below_their_parents_once() {
        // federacion ⊃ red ⊃ {ong, otra}; federacion ⊃ ong too; red ⊃ federacion (a cycle).
        let graph = Network {
            root: 2,
            nodes: BTreeMap::from([
                (1, actor("federacion", true)),
                (2, actor("red", true)),
                (3, actor("ong", false)),
                (4, actor("otra", false)),
            ]),
            edges: BTreeSet::from([(1, 2), (2, 3), (2, 4), (1, 3)]),
        };
        let map = layout(&graph, false);
        let names: Vec<(&str, i64)> = map.nodes.iter().map(|n| (n.name.as_str(), n.x)).collect();
        assert_eq!(names[0].0, "federacion");
        assert_eq!(names[1].0, "ong", "members sorted by name");
        assert!(map.nodes.iter().any(|n| n.name == "red" && n.this));
        let red = map.nodes.iter().find(|n| n.name == "red").unwrap();
        let otra = map.nodes.iter().find(|n| n.name == "otra").unwrap();
        assert!(otra.x > red.x && otra.y > red.y, "nested one level deeper");
        assert_eq!(map.count, 3);
        assert!(
            map.nodes.iter().filter(|n| n.repeat).count() == 1,
            "ong twice"
        );

        let cyclic = Network {
            edges: BTreeSet::from([(1, 2), (2, 1)]),
            ..graph
        };
        let map = layout(&cyclic, true);
        assert!(map.nodes.len() <= 3, "a cycle ends");
        assert_eq!(map.anchor, "end");
    }
}
