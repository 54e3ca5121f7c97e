//! Loading the built-in library, reading a snapshot, grading it.

use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};

use ckasim::library::Library;
use ckasim::report::Source;
use ckasim::snapshot::Snapshot;

fn benches(c: &mut Criterion) {
    // The solved capture with what its pods' observation commands printed.
    let solved = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/scenarios/secure-workspace/solved.json");
    c.bench_function("load built-in library", |b| {
        b.iter(|| Library::builtin().map_or(0, |l| l.entries().len()));
    });
    c.bench_function("read solved.json snapshot", |b| {
        b.iter(|| Snapshot::read_files(&[&solved]).map_or(0, |s| s.objects().len()));
    });
    let Ok(lib) = Library::builtin() else { return };
    let Some(entry) = lib.get("secure-workspace") else {
        return;
    };
    let Ok(snapshot) = Snapshot::read_files(&[&solved]) else {
        return;
    };
    let at = chrono::Utc::now();
    c.bench_function("grade secure-workspace (solved.json)", |b| {
        b.iter(|| {
            ckasim::grade::grade(
                entry,
                &snapshot,
                at,
                Source::Snapshot {
                    snapshot: Vec::new(),
                },
            )
            .score
        });
    });
}

criterion_group!(grading, benches);
criterion_main!(grading);
