//! A Deployment's rollout history as `kubectl rollout history` reads it: the ReplicaSets it
//! controls, each a revision (`deployment.kubernetes.io/revision`), with the images of its pod
//! template. The newest revision is what the Deployment runs (a rollback moves an old template to
//! a new revision number).

use std::collections::BTreeSet;

use serde_json::Value;

use crate::evaluator::Verdict;
use crate::evaluator::objects::{
    annotation, array_at, controller_of, name, namespace, qualified, quoted_list,
};

pub const REVISION_ANNOTATION: &str = "deployment.kubernetes.io/revision";

/// One revision: its number, its ReplicaSet and the `container=image` pairs of its template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    pub number: u64,
    pub replicaset: String,
    pub images: Vec<(String, String)>,
}

/// The `(container, image)` pairs of a pod template's app containers.
fn template_images(obj: &Value) -> Vec<(String, String)> {
    array_at(obj, "/spec/template/spec/containers")
        .iter()
        .map(|c| {
            let field = |f: &str| c.get(f).and_then(Value::as_str).unwrap_or("").to_owned();
            (field("name"), field("image"))
        })
        .collect()
}

/// The revisions of `deployment`, oldest first: the ReplicaSets in its namespace whose controller
/// is this Deployment (by uid when both carry one).
pub fn history(deployment: &Value, replicasets: &[&Value]) -> Vec<Revision> {
    let uid = deployment.pointer("/metadata/uid").and_then(Value::as_str);
    let mut revisions: Vec<Revision> = replicasets
        .iter()
        .filter(|rs| namespace(rs) == namespace(deployment))
        .filter(|rs| match controller_of(rs) {
            Some(("Deployment", owner, owner_uid)) => {
                owner == name(deployment)
                    && (uid.is_none() || owner_uid.is_none() || owner_uid == uid)
            }
            _ => false,
        })
        .map(|rs| Revision {
            number: annotation(rs, REVISION_ANNOTATION)
                .and_then(|r| r.parse().ok())
                .unwrap_or(0),
            replicaset: name(rs).to_owned(),
            images: template_images(rs),
        })
        .collect();
    revisions.sort_by_key(|r| r.number);
    revisions
}

/// What a rollout check expects; every field optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RolloutExpectation {
    /// The image the newest revision runs (in `container` when named, else in any container).
    pub current_image: Option<String>,
    /// Images that some revision ran (in `container` when named).
    pub images_seen: Vec<String>,
    /// At least this many revisions kept.
    pub revisions_at_least: Option<u64>,
    pub container: Option<String>,
}

/// Whether a Deployment's history shows what `expect` says.
pub fn rollout(deployment: &Value, replicasets: &[&Value], expect: &RolloutExpectation) -> Verdict {
    let revisions = history(deployment, replicasets);
    let subject = format!("Deployment {}", qualified(deployment));
    let in_container = |images: &[(String, String)]| -> Vec<String> {
        images
            .iter()
            .filter(|(c, _)| expect.container.as_deref().is_none_or(|want| want == c))
            .map(|(_, i)| i.clone())
            .collect()
    };
    let Some(newest) = revisions.last() else {
        return Verdict::new(false, format!("{subject} has no ReplicaSet (no revision)"));
    };
    let current = in_container(&newest.images);
    let seen: BTreeSet<String> = revisions
        .iter()
        .flat_map(|r| in_container(&r.images))
        .collect();
    let listed: Vec<String> = revisions
        .iter()
        .map(|r| format!("{} {}", r.number, in_container(&r.images).join(",")))
        .collect();
    let mut parts = vec![];
    if let Some(want) = &expect.current_image {
        parts.push((
            current.contains(want),
            format!("revision {} runs {}", newest.number, quoted_list(&current)),
        ));
        let spec = in_container(&template_images(deployment));
        if spec != current {
            parts.push((
                false,
                format!(
                    "its spec asks for {}, not rolled out yet",
                    quoted_list(&spec)
                ),
            ));
        }
    }
    let missing: Vec<&String> = expect
        .images_seen
        .iter()
        .filter(|i| !seen.contains(*i))
        .collect();
    if !missing.is_empty() {
        parts.push((false, format!("never ran {}", quoted_list(&missing))));
    }
    if let Some(at_least) = expect.revisions_at_least {
        parts.push((
            revisions.len() as u64 >= at_least,
            format!(
                "{} revision(s) (expected at least {at_least})",
                revisions.len()
            ),
        ));
    }
    parts.push((true, format!("history: {}", listed.join("; "))));
    super::verdict_of(&subject, &parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `troubleshoot-image-tag` scenario solved on a real cluster: revision 1 had the typo'd
    /// tag `nginx:1.27-alpline`, revision 2 the fix.
    fn solved() -> Vec<Value> {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/fixtures/real/troubleshoot-image-tag/solved.json"
        );
        let text = std::fs::read_to_string(path).unwrap();
        let list: Value = serde_json::from_str(&text).unwrap();
        list["items"].as_array().unwrap().clone()
    }

    fn of_kind<'a>(items: &'a [Value], kind: &str) -> Vec<&'a Value> {
        items.iter().filter(|i| i["kind"] == kind).collect()
    }

    #[test]
    fn history_of_a_real_deployment() {
        let items = solved();
        let deploy = of_kind(&items, "Deployment")[0];
        let revisions = history(deploy, &of_kind(&items, "ReplicaSet"));
        let shown: Vec<(u64, &str)> = revisions
            .iter()
            .map(|r| (r.number, r.images[0].1.as_str()))
            .collect();
        assert_eq!(shown, [(1, "nginx:1.27-alpline"), (2, "nginx:1.27-alpine")]);
    }

    #[test]
    fn current_image_and_images_seen() {
        let items = solved();
        let deploy = of_kind(&items, "Deployment")[0];
        let rs = of_kind(&items, "ReplicaSet");
        let expect = RolloutExpectation {
            current_image: Some("nginx:1.27-alpine".into()),
            images_seen: vec!["nginx:1.27-alpline".into()],
            revisions_at_least: Some(2),
            container: None,
        };
        let v = rollout(deploy, &rs, &expect);
        assert!(v.pass, "{}", v.found);
        assert_eq!(
            v.found,
            "Deployment tshoot-image/frontend: revision 2 runs 'nginx:1.27-alpine', \
             2 revision(s) (expected at least 2), \
             history: 1 nginx:1.27-alpline; 2 nginx:1.27-alpine"
        );
        let expect = RolloutExpectation {
            current_image: Some("nginx:1.27-alpline".into()),
            images_seen: vec!["nginx:1.25".into()],
            ..RolloutExpectation::default()
        };
        let v = rollout(deploy, &rs, &expect);
        assert!(!v.pass);
        assert!(
            v.found.starts_with(
                "Deployment tshoot-image/frontend: revision 2 runs 'nginx:1.27-alpine', \
                 never ran 'nginx:1.25'"
            ),
            "{}",
            v.found
        );
    }

    #[test]
    fn a_rollback_makes_the_old_template_the_newest_revision() {
        let items = solved();
        let mut deploy = of_kind(&items, "Deployment")[0].clone();
        let mut rs: Vec<Value> = of_kind(&items, "ReplicaSet").into_iter().cloned().collect();
        // `kubectl rollout undo` gives the old ReplicaSet the next revision number.
        let old = rs
            .iter_mut()
            .find(|r| r["metadata"]["name"] == "frontend-97dfdff85")
            .unwrap();
        old["metadata"]["annotations"][REVISION_ANNOTATION] = "3".into();
        deploy["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.27-alpline".into();
        let refs: Vec<&Value> = rs.iter().collect();
        let expect = RolloutExpectation {
            current_image: Some("nginx:1.27-alpline".into()),
            ..RolloutExpectation::default()
        };
        let v = rollout(&deploy, &refs, &expect);
        assert!(v.pass, "{}", v.found);
        assert!(
            v.found.contains("revision 3 runs 'nginx:1.27-alpline'"),
            "{}",
            v.found
        );
    }

    #[test]
    fn a_spec_not_yet_rolled_out_is_not_the_current_image() {
        let items = solved();
        let mut deploy = of_kind(&items, "Deployment")[0].clone();
        deploy["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.28".into();
        let expect = RolloutExpectation {
            current_image: Some("nginx:1.28".into()),
            ..RolloutExpectation::default()
        };
        let v = rollout(&deploy, &of_kind(&items, "ReplicaSet"), &expect);
        assert!(!v.pass);
        assert!(
            v.found
                .contains("its spec asks for 'nginx:1.28', not rolled out yet"),
            "{}",
            v.found
        );
    }

    #[test]
    fn replicasets_of_another_deployment_do_not_count() {
        let items = solved();
        let mut deploy = of_kind(&items, "Deployment")[0].clone();
        deploy["metadata"]["name"] = "backend".into();
        let v = rollout(
            &deploy,
            &of_kind(&items, "ReplicaSet"),
            &RolloutExpectation::default(),
        );
        assert!(!v.pass);
        assert_eq!(
            v.found,
            "Deployment tshoot-image/backend has no ReplicaSet (no revision)"
        );
    }
}
