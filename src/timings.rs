//! Per-stage wall time of one check (`verify --timings`): where a file's
//! time goes, so that a slow stage can be seen on the file that makes it
//! slow. Measured only when asked; the default record has no `timings`.
//!
//! In the record it is an object of stage name to milliseconds, in the
//! order the stages ran, e.g. `{"read": 0.02, "hash": 0.05, "parse": 0.9,
//! …, "total": 2.1}`. Stages that run beside each other on two cores (the
//! hash beside the parse, the QR decoding beside the signatures) are each
//! timed on their own, so the stages may add up to more than `total`.

use std::fmt;
use std::time::{Duration, Instant};

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Stage names and their times in milliseconds, in the order they ran.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Timings {
    stages: Vec<(String, f64)>,
}

impl Timings {
    /// Adds `elapsed` to `stage` (a stage met twice, e.g. one per
    /// signature, is summed in its first place).
    pub fn add(&mut self, stage: &str, elapsed: Duration) {
        let ms = elapsed.as_secs_f64() * 1000.0;
        match self.stages.iter_mut().find(|(s, _)| s == stage) {
            Some((_, t)) => *t += ms,
            None => self.stages.push((stage.to_string(), ms)),
        }
    }

    /// Runs `f`, adding its time to `stage`.
    pub fn time<T>(&mut self, stage: &str, f: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let out = f();
        self.add(stage, start.elapsed());
        out
    }

    /// Puts `stage` first (a stage measured by a caller, e.g. reading the
    /// file, before the check itself) and adds it to `total`.
    pub fn prepend(&mut self, stage: &str, elapsed: Duration) {
        let ms = elapsed.as_secs_f64() * 1000.0;
        self.stages.insert(0, (stage.to_string(), ms));
        if let Some((_, t)) = self.stages.iter_mut().find(|(s, _)| s == "total") {
            *t += ms;
        }
    }

    /// The time of one stage, in milliseconds.
    pub fn get(&self, stage: &str) -> Option<f64> {
        self.stages
            .iter()
            .find(|(s, _)| s == stage)
            .map(|(_, t)| *t)
    }

    pub fn stages(&self) -> impl Iterator<Item = (&str, f64)> {
        self.stages.iter().map(|(s, t)| (s.as_str(), *t))
    }

    /// One line for stderr: `parse 0.912 ms, locate 0.031 ms, …`.
    pub fn line(&self) -> String {
        self.stages
            .iter()
            .map(|(s, t)| format!("{s} {t:.3} ms"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Milliseconds rounded to microseconds: finer digits are noise.
fn rounded(ms: f64) -> f64 {
    (ms * 1000.0).round() / 1000.0
}

impl Serialize for Timings {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.stages.len()))?;
        for (stage, ms) in &self.stages {
            map.serialize_entry(stage, &rounded(*ms))?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Timings {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Stages;
        impl<'de> Visitor<'de> for Stages {
            type Value = Timings;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of stage names to milliseconds")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Timings, A::Error> {
                let mut stages = Vec::new();
                while let Some((stage, ms)) = access.next_entry::<String, f64>()? {
                    stages.push((stage, ms));
                }
                Ok(Timings { stages })
            }
        }
        deserializer.deserialize_map(Stages)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_keep_their_order_sum_repeats_and_round_trip() {
        let mut t = Timings::default();
        t.add("parse", Duration::from_micros(1500));
        t.add("signatures", Duration::from_micros(200));
        t.add("signatures", Duration::from_micros(300));
        t.add("total", Duration::from_micros(2000));
        t.prepend("read", Duration::from_micros(100));
        let names: Vec<&str> = t.stages().map(|(s, _)| s).collect();
        assert_eq!(names, ["read", "parse", "signatures", "total"]);
        assert_eq!(t.get("signatures"), Some(0.5));
        assert!((t.get("total").unwrap() - 2.1).abs() < 1e-9);
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(
            json,
            r#"{"read":0.1,"parse":1.5,"signatures":0.5,"total":2.1}"#
        );
        let back: Timings = serde_json::from_str(&json).unwrap();
        assert_eq!(back.line(), t.line());
    }
}
