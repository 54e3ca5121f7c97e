//! HorizontalPodAutoscalers judged as the autoscaling/v2 API serves them: an object created as
//! autoscaling/v1 (`targetCPUUtilizationPercentage`) reads as a v2 `Resource` cpu `Utilization`
//! metric, a v2 object read through v1 gets its other metrics and its behaviour back from the
//! annotations the server keeps them in, and the server's defaults apply (`minReplicas` 1; no
//! metric = cpu at 80 %). Without a `behavior.scaleDown.stabilizationWindowSeconds` the
//! controller waits 300 s, its default.

use std::fmt;

use serde_json::Value;

use super::{compare_int, compare_str, int_at, verdict_of};
use crate::evaluator::Verdict;
use crate::evaluator::objects::{annotation, array_at, qualified, str_at};
use crate::evaluator::quantity::Quantity;

/// The CPU utilisation the API server defaults an HPA without metrics to.
pub const DEFAULT_CPU_UTILIZATION: i64 = 80;
/// The controller's default scale-down stabilization window, in seconds.
pub const DEFAULT_SCALE_DOWN_WINDOW: i64 = 300;

/// A resource metric target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `type: Utilization`, `averageUtilization` percent of the pods' requests.
    Utilization(i64),
    /// `type: AverageValue`, `averageValue` per pod.
    AverageValue(Quantity),
}

/// A `Resource` metric: resource name (`cpu`, `memory`) and target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceMetric {
    pub resource: String,
    pub target: Target,
}

impl fmt::Display for ResourceMetric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.target {
            Target::Utilization(p) => write!(f, "{} {p}%", self.resource),
            Target::AverageValue(q) => write!(f, "{} {q} average", self.resource),
        }
    }
}

/// The autoscaling/v2 view of an HPA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Autoscaler {
    /// `Kind/name` of `scaleTargetRef`.
    pub target: String,
    pub min: i64,
    pub max: Option<i64>,
    pub metrics: Vec<ResourceMetric>,
    /// Other metric types, by their `type`.
    pub other_metrics: Vec<String>,
    /// `behavior.scaleDown.stabilizationWindowSeconds`, when set.
    pub scale_down_window: Option<i64>,
}

fn resource_metric(m: &Value) -> Option<ResourceMetric> {
    let resource = str_at(m, "/resource/name")?.to_owned();
    let target = match str_at(m, "/resource/target/type")? {
        "Utilization" => Target::Utilization(int_at(m, "/resource/target/averageUtilization")?),
        "AverageValue" => {
            Target::AverageValue(str_at(m, "/resource/target/averageValue")?.parse().ok()?)
        }
        _ => return None,
    };
    Some(ResourceMetric { resource, target })
}

/// Where the autoscaling/v1 form of an HPA keeps the v2 metrics it has no field for (each in
/// the v1 `MetricSpec` shape: `resource.targetAverageUtilization` / `targetAverageValue`).
pub const METRICS_ANNOTATION: &str = "autoscaling.alpha.kubernetes.io/metrics";
/// Where the autoscaling/v1 form keeps `spec.behavior` (Go field names: `ScaleDown`, …).
pub const BEHAVIOR_ANNOTATION: &str = "autoscaling.alpha.kubernetes.io/behavior";

fn annotation_json(hpa: &Value, key: &str) -> Option<Value> {
    serde_json::from_str(annotation(hpa, key)?).ok()
}

fn v1_resource_metric(m: &Value) -> Option<ResourceMetric> {
    let resource = str_at(m, "/resource/name")?.to_owned();
    let target = if let Some(p) = int_at(m, "/resource/targetAverageUtilization") {
        Target::Utilization(p)
    } else {
        Target::AverageValue(str_at(m, "/resource/targetAverageValue")?.parse().ok()?)
    };
    Some(ResourceMetric { resource, target })
}

/// An HPA (autoscaling/v1 or v2) as the autoscaling/v2 API serves it.
pub fn as_v2(hpa: &Value) -> Autoscaler {
    let target = format!(
        "{}/{}",
        str_at(hpa, "/spec/scaleTargetRef/kind").unwrap_or("?"),
        str_at(hpa, "/spec/scaleTargetRef/name").unwrap_or("?")
    );
    let v1 = str_at(hpa, "/apiVersion") == Some("autoscaling/v1");
    let mut metrics = Vec::new();
    let mut other_metrics = Vec::new();
    if v1 {
        if let Some(p) = int_at(hpa, "/spec/targetCPUUtilizationPercentage") {
            metrics.push(ResourceMetric {
                resource: "cpu".to_owned(),
                target: Target::Utilization(p),
            });
        }
        // The server keeps a v2 object's other metrics in an annotation of its v1 form.
        for m in annotation_json(hpa, METRICS_ANNOTATION)
            .as_ref()
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            match v1_resource_metric(m) {
                Some(r) if str_at(m, "/type") == Some("Resource") => metrics.push(r),
                _ => other_metrics.push(str_at(m, "/type").unwrap_or("?").to_owned()),
            }
        }
    } else {
        for m in array_at(hpa, "/spec/metrics") {
            match resource_metric(m) {
                Some(r) if str_at(m, "/type") == Some("Resource") => metrics.push(r),
                _ => other_metrics.push(str_at(m, "/type").unwrap_or("?").to_owned()),
            }
        }
    }
    if metrics.is_empty() && other_metrics.is_empty() {
        metrics.push(ResourceMetric {
            resource: "cpu".to_owned(),
            target: Target::Utilization(DEFAULT_CPU_UTILIZATION),
        });
    }
    Autoscaler {
        target,
        min: int_at(hpa, "/spec/minReplicas").unwrap_or(1),
        max: int_at(hpa, "/spec/maxReplicas"),
        metrics,
        other_metrics,
        scale_down_window: if v1 {
            annotation_json(hpa, BEHAVIOR_ANNOTATION)
                .and_then(|b| int_at(&b, "/ScaleDown/StabilizationWindowSeconds"))
        } else {
            int_at(hpa, "/spec/behavior/scaleDown/stabilizationWindowSeconds")
        },
    }
}

/// What an HPA check expects; every field optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HpaExpectation {
    /// `Kind/name` of the scale target, e.g. `Deployment/web`.
    pub target: Option<String>,
    pub min: Option<i64>,
    pub max: Option<i64>,
    /// Metrics the HPA must have (others may be there too).
    pub metrics: Vec<ResourceMetric>,
    pub scale_down_window: Option<i64>,
}

/// Whether an HPA is what `expect` says, read as autoscaling/v2.
pub fn hpa(obj: &Value, expect: &HpaExpectation) -> Verdict {
    let a = as_v2(obj);
    let mut parts = Vec::new();
    parts.extend(compare_str("target", &a.target, expect.target.as_deref()));
    parts.extend(compare_int("min", Some(a.min), expect.min));
    parts.extend(compare_int("max", a.max, expect.max));
    if !expect.metrics.is_empty() {
        let shown: Vec<String> = a
            .metrics
            .iter()
            .map(ToString::to_string)
            .chain(a.other_metrics.iter().map(|t| format!("a {t} metric")))
            .collect();
        let missing: Vec<String> = expect
            .metrics
            .iter()
            .filter(|m| !a.metrics.contains(m))
            .map(ToString::to_string)
            .collect();
        let mut words = format!("metrics {}", shown.join(", "));
        if !missing.is_empty() {
            words = format!("{words} (expected {})", missing.join(", "));
        }
        parts.push((missing.is_empty(), words));
    }
    if let Some(want) = expect.scale_down_window {
        let found = a.scale_down_window.unwrap_or(DEFAULT_SCALE_DOWN_WINDOW);
        let mut words = format!("scale-down window {found}s");
        if a.scale_down_window.is_none() {
            words.push_str(" (the controller's default)");
        }
        if found != want {
            words = format!("{words} (expected {want}s)");
        }
        parts.push((found == want, words));
    }
    verdict_of(&format!("HPA {}", qualified(obj)), &parts)
}

/// Whether the HPA's scale target requests, in every container, each resource the HPA scales
/// on by `Utilization` (a percentage of requests: without them the controller cannot compute
/// it). `workload` is the scale target as found, if it exists.
pub fn target_requests(hpa: &Value, workload: Option<&Value>) -> Verdict {
    let a = as_v2(hpa);
    let Some(workload) = workload else {
        return Verdict::new(false, format!("scale target {} does not exist", a.target));
    };
    let resources: Vec<&str> = a
        .metrics
        .iter()
        .filter(|m| matches!(m.target, Target::Utilization(_)))
        .map(|m| m.resource.as_str())
        .collect();
    let containers = array_at(workload, "/spec/template/spec/containers");
    let missing: Vec<String> = containers
        .iter()
        .flat_map(|c| {
            let name = str_at(c, "/name").unwrap_or("?");
            resources
                .iter()
                .filter(move |r| c.pointer(&format!("/resources/requests/{r}")).is_none())
                .map(move |r| format!("container {name} requests no {r}"))
        })
        .collect();
    if missing.is_empty() {
        Verdict::new(
            true,
            format!(
                "{} requests {} in every container",
                a.target,
                resources.join(", ")
            ),
        )
    } else {
        Verdict::new(
            false,
            format!(
                "{}: {} (utilization is a share of requests)",
                a.target,
                missing.join(", ")
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// `kubectl get hpa.v2.autoscaling web -o json` after `kubectl apply` of a v2 manifest with
    /// a scale-down window, as the server stores it (behaviour defaults filled in).
    fn v2() -> Value {
        json!({
            "apiVersion": "autoscaling/v2",
            "kind": "HorizontalPodAutoscaler",
            "metadata": {
                "creationTimestamp": "2026-11-29T14:10:00Z",
                "name": "web",
                "namespace": "autoscale",
                "resourceVersion": "9120",
                "uid": "a3c1b7e2-6d44-4f0e-9b3a-2c8d1e0f5a6b"
            },
            "spec": {
                "behavior": {
                    "scaleDown": {
                        "policies": [{"periodSeconds": 15, "type": "Percent", "value": 100}],
                        "selectPolicy": "Max",
                        "stabilizationWindowSeconds": 30
                    },
                    "scaleUp": {
                        "policies": [
                            {"periodSeconds": 15, "type": "Pods", "value": 4},
                            {"periodSeconds": 15, "type": "Percent", "value": 100}
                        ],
                        "selectPolicy": "Max",
                        "stabilizationWindowSeconds": 0
                    }
                },
                "maxReplicas": 5,
                "metrics": [
                    {"resource": {"name": "cpu", "target": {"averageUtilization": 50, "type": "Utilization"}},
                     "type": "Resource"},
                    {"resource": {"name": "memory", "target": {"averageValue": "256Mi", "type": "AverageValue"}},
                     "type": "Resource"}
                ],
                "minReplicas": 2,
                "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}
            },
            "status": {
                "conditions": [
                    {"lastTransitionTime": "2026-11-29T14:10:15Z", "message": "recommended size matches current size",
                     "reason": "ReadyForNewScale", "status": "True", "type": "AbleToScale"}
                ],
                "currentMetrics": null,
                "currentReplicas": 2,
                "desiredReplicas": 2
            }
        })
    }

    /// `kubectl autoscale`'s v1 shape: what a v1 client reads back of an object created as v1.
    fn v1() -> Value {
        json!({
            "apiVersion": "autoscaling/v1",
            "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": "api", "namespace": "autoscale", "uid": "0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6"},
            "spec": {
                "maxReplicas": 10,
                "minReplicas": 1,
                "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "api"},
                "targetCPUUtilizationPercentage": 65
            },
            "status": {"currentReplicas": 1, "desiredReplicas": 1}
        })
    }

    fn cpu(p: i64) -> ResourceMetric {
        ResourceMetric {
            resource: "cpu".into(),
            target: Target::Utilization(p),
        }
    }

    #[test]
    fn a_v2_hpa_with_its_metrics_and_window() {
        let expect = HpaExpectation {
            target: Some("Deployment/web".into()),
            min: Some(2),
            max: Some(5),
            metrics: vec![
                cpu(50),
                ResourceMetric {
                    resource: "memory".into(),
                    target: Target::AverageValue("0.25Gi".parse().unwrap()),
                },
            ],
            scale_down_window: Some(30),
        };
        let v = hpa(&v2(), &expect);
        assert!(v.pass, "{}", v.found);
        assert_eq!(
            v.found,
            "HPA autoscale/web: target Deployment/web, min 2, max 5, \
             metrics cpu 50%, memory 256Mi average, scale-down window 30s"
        );
    }

    #[test]
    fn wrong_values_are_named_first() {
        let expect = HpaExpectation {
            target: Some("StatefulSet/web".into()),
            max: Some(4),
            metrics: vec![cpu(70)],
            ..HpaExpectation::default()
        };
        let v = hpa(&v2(), &expect);
        assert!(!v.pass);
        assert_eq!(
            v.found,
            "HPA autoscale/web: target Deployment/web (expected StatefulSet/web), max 5 (expected 4), \
             metrics cpu 50%, memory 256Mi average (expected cpu 70%)"
        );
    }

    #[test]
    fn a_v1_hpa_reads_as_its_v2_form() {
        let a = as_v2(&v1());
        assert_eq!(a.metrics, [cpu(65)]);
        assert_eq!((a.min, a.max), (1, Some(10)));
        let expect = HpaExpectation {
            metrics: vec![cpu(65)],
            scale_down_window: Some(300),
            ..HpaExpectation::default()
        };
        let v = hpa(&v1(), &expect);
        assert!(v.pass, "{}", v.found);
        assert!(
            v.found
                .contains("scale-down window 300s (the controller's default)"),
            "{}",
            v.found
        );
    }

    #[test]
    fn no_metric_means_the_server_default_cpu_80() {
        let mut h = v1();
        h["spec"]
            .as_object_mut()
            .unwrap()
            .remove("targetCPUUtilizationPercentage");
        h["spec"].as_object_mut().unwrap().remove("minReplicas");
        let a = as_v2(&h);
        assert_eq!(a.metrics, [cpu(80)]);
        assert_eq!(a.min, 1);
    }

    #[test]
    fn utilization_needs_requests_on_the_target() {
        let deploy = |requests: Value| {
            json!({"kind": "Deployment", "metadata": {"name": "web", "namespace": "autoscale"},
            "spec": {"template": {"spec": {"containers": [
                {"name": "app", "image": "nginx:1.27", "resources": {"requests": requests}}
            ]}}}})
        };
        let v = target_requests(&v2(), Some(&deploy(json!({"cpu": "100m"}))));
        assert!(v.pass, "{}", v.found);
        assert_eq!(v.found, "Deployment/web requests cpu in every container");
        let v = target_requests(&v2(), Some(&deploy(json!({"memory": "64Mi"}))));
        assert!(!v.pass);
        assert_eq!(
            v.found,
            "Deployment/web: container app requests no cpu (utilization is a share of requests)"
        );
        assert_eq!(
            target_requests(&v2(), None).found,
            "scale target Deployment/web does not exist"
        );
    }

    /// A v2 HPA with a memory metric and a behaviour, read through autoscaling/v1: the server
    /// moves what v1 has no field for into annotations, and they read back as the v2 object.
    #[test]
    fn a_v2_hpa_read_as_v1_keeps_its_metrics_and_window() {
        let mut h = v1();
        h["metadata"]["annotations"] = json!({
            METRICS_ANNOTATION: "[{\"type\":\"Resource\",\"resource\":{\"name\":\"memory\",\"targetAverageValue\":\"256Mi\"}}]",
            BEHAVIOR_ANNOTATION: "{\"ScaleUp\":{\"StabilizationWindowSeconds\":0,\"SelectPolicy\":\"Max\"},\"ScaleDown\":{\"StabilizationWindowSeconds\":60,\"SelectPolicy\":\"Max\"}}"
        });
        let a = as_v2(&h);
        assert_eq!(
            a.metrics,
            [
                cpu(65),
                ResourceMetric {
                    resource: "memory".into(),
                    target: Target::AverageValue("256Mi".parse().unwrap()),
                }
            ]
        );
        assert_eq!(a.scale_down_window, Some(60));
    }
}
