//! Which training segments an epoch shows: natural frequencies (every segment once, in a
//! fresh order), or class-balanced draws, optionally balanced over patients within a class.

use rand::RngExt;
use rand::seq::SliceRandom;

use super::corpus::Segment;
use super::rhythm::N_CLASSES;

/// Draws segment indices for an epoch.
#[derive(Debug, Clone)]
pub struct Sampler {
    /// `groups[c]`: the segment indices of class `c`, grouped by record.
    groups: [Vec<Vec<usize>>; N_CLASSES],
    /// Probability of drawing each class.
    class_p: [f64; N_CLASSES],
    /// Natural frequencies without patient balance: shuffled passes over every segment.
    natural: bool,
    patient_balance: bool,
    /// `group_records[c][g]`: the record of `groups[c][g]`.
    group_records: [Vec<usize>; N_CLASSES],
    /// Cumulative draw weights of the groups of each class under patient balance (empty:
    /// uniform).
    group_cumulative: [Vec<f64>; N_CLASSES],
    n: usize,
}

impl Sampler {
    /// A sampler over `segments`; see `TrainConfig::balance` and `patient_balance`.
    pub fn new(segments: &[Segment], balance: f64, patient_balance: bool) -> Sampler {
        let mut groups: [Vec<Vec<usize>>; N_CLASSES] = Default::default();
        let mut records: [Vec<usize>; N_CLASSES] = Default::default();
        for (i, s) in segments.iter().enumerate() {
            let c = s.label.index();
            match records[c].iter().position(|&r| r == s.record) {
                Some(g) => groups[c][g].push(i),
                None => {
                    records[c].push(s.record);
                    groups[c].push(vec![i]);
                }
            }
        }
        let counts: Vec<f64> = groups
            .iter()
            .map(|g| g.iter().map(Vec::len).sum::<usize>() as f64)
            .collect();
        let weights: Vec<f64> = counts
            .iter()
            .map(|&n| if n > 0.0 { n.powf(1.0 - balance) } else { 0.0 })
            .collect();
        let sum: f64 = weights.iter().sum();
        let mut class_p = [0.0; N_CLASSES];
        for (p, w) in class_p.iter_mut().zip(&weights) {
            *p = if sum > 0.0 { w / sum } else { 0.0 };
        }
        Sampler {
            groups,
            class_p,
            natural: balance == 0.0 && !patient_balance,
            patient_balance,
            group_records: records,
            group_cumulative: Default::default(),
            n: segments.len(),
        }
    }

    /// The same sampler with patients drawn in proportion to `weight(class, record)`
    /// within a class (its index) instead of uniformly (patient balance only); a class
    /// whose weights are all zero, or all equal, keeps uniform draws (and the same random
    /// stream).
    pub fn with_record_weights(mut self, weight: impl Fn(usize, usize) -> f64) -> Sampler {
        for (c, records) in self.group_records.iter().enumerate() {
            let w: Vec<f64> = records.iter().map(|&r| weight(c, r).max(0.0)).collect();
            let uniform = w.windows(2).all(|p| p[0] == p[1]);
            let mut acc = 0.0;
            let cumulative: Vec<f64> = w
                .iter()
                .map(|v| {
                    acc += v;
                    acc
                })
                .collect();
            self.group_cumulative[c] = if acc > 0.0 && !uniform {
                cumulative
            } else {
                Vec::new()
            };
        }
        self
    }

    /// The same sampler drawing each class with probability `shares[c]` (normalised; a
    /// class without segments is never drawn) instead of from its own counts.
    pub fn with_class_shares(mut self, shares: [f64; N_CLASSES]) -> Sampler {
        let held: Vec<f64> = shares
            .iter()
            .zip(&self.groups)
            .map(|(&p, g)| if g.is_empty() { 0.0 } else { p.max(0.0) })
            .collect();
        let sum: f64 = held.iter().sum();
        if sum > 0.0 && !self.natural {
            for (p, h) in self.class_p.iter_mut().zip(held) {
                *p = h / sum;
            }
        }
        self
    }

    /// Expected share of each class among the draws.
    pub fn class_shares(&self) -> [f64; N_CLASSES] {
        self.class_p
    }

    /// `count` segment indices.
    pub fn draw(&self, rng: &mut impl RngExt, count: usize) -> Vec<usize> {
        if self.n == 0 {
            return Vec::new();
        }
        if self.natural {
            let mut out = Vec::with_capacity(count);
            while out.len() < count {
                let mut pass: Vec<usize> = (0..self.n).collect();
                pass.shuffle(rng);
                let need = count - out.len();
                out.extend(pass.into_iter().take(need));
            }
            return out;
        }
        (0..count)
            .map(|_| {
                let u: f64 = rng.random();
                let mut acc = 0.0;
                let mut class = self.class_p.iter().rposition(|&p| p > 0.0).unwrap_or(0);
                for (c, &p) in self.class_p.iter().enumerate() {
                    acc += p;
                    if u < acc && p > 0.0 {
                        class = c;
                        break;
                    }
                }
                let groups = &self.groups[class];
                if self.patient_balance {
                    let cumulative = &self.group_cumulative[class];
                    let g = match cumulative.last() {
                        Some(&total) => {
                            let u = rng.random_range(0.0..total);
                            let i = cumulative.partition_point(|&a| a <= u);
                            &groups[i.min(groups.len() - 1)]
                        }
                        None => &groups[rng.random_range(0..groups.len())],
                    };
                    g[rng.random_range(0..g.len())]
                } else {
                    let total: usize = groups.iter().map(Vec::len).sum();
                    let mut k = rng.random_range(0..total);
                    for g in groups {
                        if k < g.len() {
                            return g[k];
                        }
                        k -= g.len();
                    }
                    unreachable!("k < total")
                }
            })
            .collect()
    }
}

/// Loss weights `∝ q_c^(-power)` for class shares `q`, scaled so that the expected weight
/// of a drawn view is 1; classes never drawn get weight 1.
pub fn class_weights(shares: &[f64; N_CLASSES], power: f64) -> [f32; N_CLASSES] {
    let raw: Vec<f64> = shares
        .iter()
        .map(|&q| if q > 0.0 { q.powf(-power) } else { 0.0 })
        .collect();
    let mean: f64 = shares.iter().zip(&raw).map(|(q, w)| q * w).sum();
    let mut out = [1.0f32; N_CLASSES];
    for (o, (&q, &w)) in out.iter_mut().zip(shares.iter().zip(&raw)) {
        if q > 0.0 && mean > 0.0 {
            *o = (w / mean) as f32;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::Xoshiro256PlusPlus;

    use super::*;
    use crate::train::rhythm::Rhythm;

    fn segments() -> Vec<Segment> {
        let mut s = Vec::new();
        for i in 0..900 {
            s.push(Segment {
                record: i % 3,
                start: i,
                label: Rhythm::Normal,
            });
        }
        // AF: 90 from record 0, 10 from record 1.
        for i in 0..100 {
            s.push(Segment {
                record: usize::from(i >= 90),
                start: i,
                label: Rhythm::Afib,
            });
        }
        s
    }

    #[test]
    fn class_shares_can_be_set() {
        let s = segments();
        let set = Sampler::new(&s, 0.5, true).with_class_shares([3.0, 1.0, 0.0, 0.0, 0.0]);
        let shares = set.class_shares();
        assert!((shares[0] - 0.75).abs() < 1e-12 && (shares[1] - 0.25).abs() < 1e-12);
        let afib = set
            .draw(&mut Xoshiro256PlusPlus::seed_from_u64(2), 20_000)
            .into_iter()
            .filter(|&i| s[i].label == Rhythm::Afib)
            .count() as f64
            / 20_000.0;
        assert!((afib - 0.25).abs() < 0.02, "{afib}");
    }

    #[test]
    fn natural_passes_show_every_segment_once() {
        let s = segments();
        let sampler = Sampler::new(&s, 0.0, false);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        let mut d = sampler.draw(&mut rng, s.len());
        d.sort_unstable();
        assert_eq!(d, (0..s.len()).collect::<Vec<_>>());
        let shares = sampler.class_shares();
        assert!((shares[0] - 0.9).abs() < 1e-12 && (shares[1] - 0.1).abs() < 1e-12);
    }

    #[test]
    fn balanced_draws_and_patient_balance() {
        let s = segments();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(4);
        let sampler = Sampler::new(&s, 1.0, true);
        let d = sampler.draw(&mut rng, 20_000);
        let af: Vec<usize> = d
            .into_iter()
            .filter(|&i| s[i].label == Rhythm::Afib)
            .collect();
        assert!((af.len() as f64 / 20_000.0 - 0.5).abs() < 0.02);
        // Half of the AF draws come from record 1 despite its 10 % of AF segments.
        let from_1 = af.iter().filter(|&&i| s[i].record == 1).count() as f64 / af.len() as f64;
        assert!((from_1 - 0.5).abs() < 0.03, "{from_1}");
        // Same seed, same draws.
        let a = sampler.draw(&mut Xoshiro256PlusPlus::seed_from_u64(9), 50);
        let b = sampler.draw(&mut Xoshiro256PlusPlus::seed_from_u64(9), 50);
        assert_eq!(a, b);
    }

    #[test]
    fn record_weights_shift_patient_draws() {
        let s = segments();
        let plain = Sampler::new(&s, 1.0, true);
        // Equal weights keep uniform draws and the random stream.
        let same = Sampler::new(&s, 1.0, true).with_record_weights(|_, _| 2.0);
        let seed = || Xoshiro256PlusPlus::seed_from_u64(5);
        assert_eq!(plain.draw(&mut seed(), 500), same.draw(&mut seed(), 500));
        // Record 1 weighted 3 against record 0: three quarters of the AF draws.
        let weighted =
            Sampler::new(&s, 1.0, true).with_record_weights(|_, r| if r == 1 { 3.0 } else { 1.0 });
        let af: Vec<usize> = weighted
            .draw(&mut seed(), 20_000)
            .into_iter()
            .filter(|&i| s[i].label == Rhythm::Afib)
            .collect();
        let from_1 = af.iter().filter(|&&i| s[i].record == 1).count() as f64 / af.len() as f64;
        assert!((from_1 - 0.75).abs() < 0.03, "{from_1}");
        // Zero weight: never drawn while another patient of the class has weight.
        let none = Sampler::new(&s, 1.0, true).with_record_weights(|_, r| f64::from(r != 2));
        assert!(
            none.draw(&mut seed(), 5_000)
                .iter()
                .all(|&i| s[i].record != 2)
        );
    }

    #[test]
    fn weights_average_to_one() {
        let shares = [0.9, 0.1, 0.0, 0.0, 0.0];
        let w = class_weights(&shares, 1.0);
        assert!((w[0] * 0.9 + w[1] * 0.1 - 1.0).abs() < 1e-6);
        assert!((w[1] / w[0] - 9.0).abs() < 1e-4);
        assert_eq!(w[2], 1.0);
        assert_eq!(class_weights(&shares, 0.0)[..2], [1.0, 1.0]);
    }
}
