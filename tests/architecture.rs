//! The crate graph keeps its promises: the crates that only use ports
//! (agents, channels, tools, the runtime, the front ends) never compile an
//! adapter's engine. Read from `cargo metadata`, so it checks what cargo
//! would really build, not what a manifest happens to say.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Engines that belong to adapters only.
const ENGINES: &[&str] = &["redis", "qdrant-edge", "qdrant-client", "tonic", "async-openai"];

struct Graph {
    /// package id → name
    names: BTreeMap<String, String>,
    /// package id → (dependency id, kinds: "normal", "dev", "build")
    deps: BTreeMap<String, Vec<(String, Vec<String>)>>,
}

fn graph() -> Graph {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--locked", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(out.status.success(), "cargo metadata failed: {}", String::from_utf8_lossy(&out.stderr));
    let meta: Value = serde_json::from_slice(&out.stdout).expect("metadata is JSON");
    let names = meta["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|p| (p["id"].as_str().unwrap().to_string(), p["name"].as_str().unwrap().to_string()))
        .collect();
    let deps = meta["resolve"]["nodes"]
        .as_array()
        .expect("resolve nodes")
        .iter()
        .map(|n| {
            let edges = n["deps"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| {
                    let kinds = d["dep_kinds"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|k| k["kind"].as_str().unwrap_or("normal").to_string())
                        .collect();
                    (d["pkg"].as_str().unwrap().to_string(), kinds)
                })
                .collect();
            (n["id"].as_str().unwrap().to_string(), edges)
        })
        .collect();
    Graph { names, deps }
}

impl Graph {
    fn id(&self, name: &str) -> String {
        self.names.iter().find(|(_, n)| n.as_str() == name).map(|(id, _)| id.clone()).expect(name)
    }

    /// Every package `root` pulls in, as `cargo tree -p root` shows it: its
    /// normal, build and dev dependencies, then theirs (normal and build).
    fn closure(&self, root: &str) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![(self.id(root), true)];
        while let Some((id, is_root)) = stack.pop() {
            for (dep, kinds) in self.deps.get(&id).into_iter().flatten() {
                let follows = is_root || kinds.iter().any(|k| k != "dev");
                if follows && seen.insert(dep.clone()) {
                    stack.push((dep.clone(), false));
                }
            }
        }
        seen.into_iter().map(|id| self.names[&id].clone()).collect()
    }
}

fn assert_free_of_engines(g: &Graph, krate: &str) {
    let pulled = g.closure(krate);
    let found: Vec<&&str> = ENGINES.iter().filter(|e| pulled.contains(**e)).collect();
    assert!(found.is_empty(), "{krate} pulls in {found:?}; it must depend on the ports only");
}

#[test]
fn agents_and_channels_pull_in_no_redis_qdrant_tonic_or_model_sdk() {
    let g = graph();
    assert_free_of_engines(&g, "tradewind-agents");
    assert_free_of_engines(&g, "tradewind-channels");
}

#[test]
fn ports_tools_and_front_ends_stay_engine_free_too() {
    let g = graph();
    for krate in ["tradewind-ports", "tradewind-tools", "tradewind-frontends", "tradewind-memory"] {
        assert_free_of_engines(&g, krate);
    }
}

#[test]
fn the_check_sees_an_engine_where_there_is_one() {
    // Guards the test itself: the wiring crate does reach every engine.
    let g = graph();
    let pulled = g.closure("tradewind-app");
    for e in ENGINES {
        assert!(pulled.contains(*e), "tradewind-app should pull in {e}");
    }
}
