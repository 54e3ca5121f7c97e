//! What the Storage scenarios of `generate_f.py` promise beyond the generic checks of
//! `scenario_library.rs`: their domain and weights, setup confined to the scenario's namespaces,
//! the `StorageClass` the candidate creates declared as the scenario's own (which `reset`
//! deletes), a reclaim policy that leaves no volume behind for reset, untouched starts whose
//! grades name the fault the task describes, and observations that never print a Secret.
//!
//! The fixtures are `tests/fixtures/scenarios/<id>/{start,solved}.json`, written by
//! `generate_f.py` beside them from the scenario's own setup and solution.

#[path = "support/library.rs"]
mod library_support;
#[path = "support/start_grades.rs"]
mod start_grades;

use ckasim::kind::Kind;
use ckasim::library::scenario::Domain;
use library_support::{entry, library};
use start_grades::{
    assert_domains_and_marks, assert_owned_objects_announced, assert_setup_in_namespaces,
    assert_starts_name, words,
};

const SCENARIOS: [(&str, Domain); 3] = [
    ("storage-dynamic-provisioning", Domain::Storage),
    ("storage-pvc-pending", Domain::Storage),
    ("storage-volume-types", Domain::Storage),
];

/// Cluster-scoped kinds whose objects a scenario's candidate creates: the scenario owns them
/// and `reset` deletes them.
const OWNED: [Kind; 2] = [Kind::PersistentVolume, Kind::StorageClass];

#[test]
fn each_scenario_has_its_domain_100_points_and_the_cka_pass_mark() {
    assert_domains_and_marks(&library(), &SCENARIOS);
}

#[test]
fn setup_creates_objects_only_in_the_scenarios_namespaces() {
    assert_setup_in_namespaces(&library(), &SCENARIOS);
}

#[test]
fn cluster_objects_the_candidate_creates_are_declared_and_reset_deletes_them() {
    let announced = assert_owned_objects_announced(&library(), &SCENARIOS, &OWNED);
    assert_eq!(
        announced, 1,
        "the StorageClass of storage-dynamic-provisioning"
    );
}

/// Provisioned volumes get names no scenario can declare (`pvc-<uid>`): the reclaim policy
/// `Delete` removes them with their claims (as reset does for `Retain` ones), and the notes say so.
#[test]
fn provisioned_volumes_are_deleted_with_their_claims_and_the_notes_say_why() {
    let lib = library();
    let e = entry(&lib, "storage-dynamic-provisioning");
    let solution = e
        .scenario
        .solution
        .as_ref()
        .and_then(|s| s.manifests.as_deref())
        .unwrap_or_default();
    assert!(
        solution.contains("reclaimPolicy: Delete"),
        "the reference StorageClass deletes its volumes"
    );
    for lang in ["en", "zh"] {
        let (_, notes) = words(e, lang);
        for word in ["`Delete`", "`Retain`", "`pvc-<uid>`"] {
            assert!(
                notes.contains(word),
                "the {lang} notes do not explain the reclaim policy with {word}"
            );
        }
    }
}

/// The spec of a claim is immutable: the troubleshooting task says so where the candidate
/// looks (hints) and in the notes, in both languages.
#[test]
fn the_pending_claim_task_says_a_claim_spec_is_immutable() {
    let lib = library();
    let e = entry(&lib, "storage-pvc-pending");
    for lang in ["en", "zh"] {
        let hints: String = e
            .scenario
            .tasks
            .iter()
            .flat_map(|t| &t.hints)
            .map(|h| h.get(lang).to_owned())
            .collect();
        let (_, notes) = words(e, lang);
        for (what, text) in [("hints", &hints), ("notes", &notes)] {
            assert!(
                text.contains("immutable")
                    || text.contains("不可修改")
                    || text.contains("不能再修改"),
                "the {lang} {what} do not say that a claim's spec is immutable"
            );
        }
    }
}

/// No observation reads a Secret's content: the files under the Secret's mount are judged by
/// their mode (`stat`), never printed.
#[test]
fn observations_never_print_a_secret() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("grading/storage-volume-types.toml");
    let rubric = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
    let secret_reads: Vec<&str> = rubric
        .lines()
        .filter(|l| l.starts_with("observe") && l.contains("/etc/secrets"))
        .collect();
    assert_eq!(secret_reads.len(), 1, "one look at the Secret's mount");
    for line in secret_reads {
        assert!(
            line.starts_with("observe = { command = [\"stat\""),
            "an observation may print the Secret: {line}"
        );
    }
}

#[test]
fn untouched_starts_are_graded_with_the_fault_the_task_describes() {
    let lib = library();
    assert_starts_name(
        &lib,
        &[
            (
                "storage-pvc-pending",
                "orders-db requests 1Gi of the storage class standard",
                "fast-ssd",
            ),
            (
                "storage-pvc-pending",
                "orders-db asks for ReadWriteOnce only",
                "ReadWriteMany",
            ),
            (
                "storage-pvc-pending",
                "orders-db is Bound to a provisioned volume",
                "Pending",
            ),
            (
                "storage-pvc-pending",
                "the running pods of orders mount the claim orders-db at /var/lib/orders",
                "Pending",
            ),
            (
                "storage-dynamic-provisioning",
                "dynamic-local has reclaim policy Delete",
                "not found",
            ),
        ],
    );
}
