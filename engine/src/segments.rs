//! Needs segments (issue 16): customers told apart by what they configure.
//! Each customer is a point (say, the share of their orders that chose each
//! option); k-means groups the points, and the number of groups is the one
//! whose grouping separates best (the mean silhouette).
//!
//! Hand-written rather than a clustering crate: Lloyd's k-means with
//! k-means++ seeding and the silhouette are some eighty lines here, while
//! the crates that offer them (linfa and its ndarray stack) would add a
//! large dependency tree to an engine that must stay small for wasm, and
//! this keeps the results deterministic for a given seed.

use crate::bench::Rng;

/// The segment of each point (0-based, segments numbered by size, the
/// largest first), from 1 to `max_k` segments of at least `min_size` points
/// each: the `k` in 2..=`max_k` whose segments are all that large with the
/// best mean silhouette, or one segment when no split separates the
/// points or there are too few of them. "Separates" is a mean silhouette
/// above 0.5, where Kaufman and Rousseeuw's scale starts calling a
/// structure reasonable (0.26 to 0.50 is weak; a uniform cloud cut in two
/// scores about 0.4).
pub fn segment(points: &[Vec<f64>], max_k: usize, min_size: usize, seed: u64) -> Vec<usize> {
    let n = points.len();
    let mut best: (f64, Vec<usize>) = (0.5, vec![0; n]);
    for k in 2..=max_k.min(n.saturating_sub(1)) {
        let labels = kmeans(points, k, seed);
        if (0..k).any(|c| labels.iter().filter(|&&l| l == c).count() < min_size.max(1)) {
            continue;
        }
        let s = silhouette(points, &labels, k, seed);
        if s > best.0 {
            best = (s, labels);
        }
    }
    by_size(best.1)
}

/// Renumbers labels so that segment 0 is the largest (ties by first point).
fn by_size(labels: Vec<usize>) -> Vec<usize> {
    let k = labels.iter().max().map_or(0, |m| m + 1);
    let mut sizes: Vec<(usize, usize, usize)> = (0..k).map(|c| (labels.iter().filter(|&&l| l == c).count(), labels.iter().position(|&l| l == c).unwrap_or(usize::MAX), c)).collect();
    sizes.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut new = vec![0; k];
    for (rank, &(_, _, c)) in sizes.iter().enumerate() {
        new[c] = rank;
    }
    labels.into_iter().map(|l| new[l]).collect()
}

fn dist2(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// Lloyd's k-means, k-means++ seeding, best of three starts by total
/// squared distance.
pub fn kmeans(points: &[Vec<f64>], k: usize, seed: u64) -> Vec<usize> {
    let n = points.len();
    if n == 0 || k <= 1 {
        return vec![0; n];
    }
    let dims = points[0].len();
    let mut rng = Rng::new(seed);
    let mut best: Option<(f64, Vec<usize>)> = None;
    for _ in 0..3 {
        // k-means++: each next centre is drawn with probability in
        // proportion to its squared distance to the nearest centre so far.
        let mut centres: Vec<Vec<f64>> = vec![points[rng.below(n)].clone()];
        let mut near: Vec<f64> = points.iter().map(|p| dist2(p, &centres[0])).collect();
        while centres.len() < k {
            let total: f64 = near.iter().sum();
            let next = if total <= 0.0 {
                rng.below(n)
            } else {
                let mut r = (rng.next() as f64 / u64::MAX as f64) * total;
                near.iter().position(|&d| {
                    r -= d;
                    r <= 0.0
                }).unwrap_or(n - 1)
            };
            centres.push(points[next].clone());
            for (d, p) in near.iter_mut().zip(points) {
                *d = d.min(dist2(p, centres.last().unwrap()));
            }
        }
        let mut labels = vec![0; n];
        for _ in 0..100 {
            let mut moved = false;
            for (i, p) in points.iter().enumerate() {
                let c = (0..k).min_by(|&a, &b| dist2(p, &centres[a]).total_cmp(&dist2(p, &centres[b]))).unwrap_or(0);
                moved |= labels[i] != c;
                labels[i] = c;
            }
            let mut sums = vec![vec![0.0; dims]; k];
            let mut counts = vec![0usize; k];
            for (p, &l) in points.iter().zip(&labels) {
                counts[l] += 1;
                for (s, x) in sums[l].iter_mut().zip(p) {
                    *s += x;
                }
            }
            for c in 0..k {
                if counts[c] > 0 {
                    centres[c] = sums[c].iter().map(|s| s / counts[c] as f64).collect();
                }
            }
            if !moved {
                break;
            }
        }
        let cost: f64 = points.iter().zip(&labels).map(|(p, &l)| dist2(p, &centres[l])).sum();
        if best.as_ref().is_none_or(|b| cost < b.0) {
            best = Some((cost, labels));
        }
    }
    best.map(|b| b.1).unwrap_or_else(|| vec![0; n])
}

/// The mean silhouette of a labelling (on at most 1,000 sampled points, so
/// its cost stays bounded): near 1 when each point is much nearer its own
/// segment than the next, near 0 when segments overlap.
pub fn silhouette(points: &[Vec<f64>], labels: &[usize], k: usize, seed: u64) -> f64 {
    let n = points.len();
    let mut sample: Vec<usize> = (0..n).collect();
    if n > 1000 {
        Rng::new(seed ^ 0x5eed).shuffle(&mut sample);
        sample.truncate(1000);
    }
    let mut total = 0.0;
    for &i in &sample {
        let mut sum = vec![0.0; k];
        let mut count = vec![0usize; k];
        for &j in &sample {
            if i != j {
                sum[labels[j]] += dist2(&points[i], &points[j]).sqrt();
                count[labels[j]] += 1;
            }
        }
        let own = labels[i];
        if count[own] == 0 {
            continue; // a segment of one point counts 0
        }
        let a = sum[own] / count[own] as f64;
        let b = (0..k).filter(|&c| c != own && count[c] > 0).map(|c| sum[c] / count[c] as f64).fold(f64::INFINITY, f64::min);
        if b.is_finite() && a.max(b) > 0.0 {
            total += (b - a) / a.max(b);
        }
    }
    total / sample.len().max(1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Points around `centres`, `each` per centre, with a little noise.
    fn blobs(centres: &[Vec<f64>], each: usize, seed: u64) -> (Vec<Vec<f64>>, Vec<usize>) {
        let mut rng = Rng::new(seed);
        let mut points = Vec::new();
        let mut truth = Vec::new();
        for (c, centre) in centres.iter().enumerate() {
            for _ in 0..each {
                points.push(centre.iter().map(|x| x + (rng.below(1000) as f64 / 1000.0 - 0.5) * 0.2).collect());
                truth.push(c);
            }
        }
        (points, truth)
    }

    /// Whether two labellings group the points the same way.
    fn same_grouping(a: &[usize], b: &[usize]) -> bool {
        (0..a.len()).all(|i| (0..a.len()).all(|j| (a[i] == a[j]) == (b[i] == b[j])))
    }

    #[test]
    fn separate_groups_are_found_with_their_number() {
        let centres = vec![vec![1.0, 0.0, 0.0, 1.0], vec![0.0, 1.0, 0.0, 0.0], vec![0.0, 0.0, 1.0, 1.0]];
        let (points, truth) = blobs(&centres, 20, 4);
        let labels = segment(&points, 5, 1, 1);
        assert!(same_grouping(&labels, &truth), "{labels:?}");
        assert_eq!(segment(&points, 5, 1, 1), labels, "deterministic for a seed");
    }

    #[test]
    fn one_cloud_stays_one_segment_and_sizes_order_the_numbers() {
        let (points, _) = blobs(&[vec![0.5, 0.5]], 30, 2);
        assert!(segment(&points, 5, 1, 1).iter().all(|&l| l == 0));
        assert_eq!(segment(&[], 5, 1, 1), Vec::<usize>::new());
        assert_eq!(segment(&[vec![1.0]], 5, 1, 1), vec![0]);
        // Ten points here, twenty there: the larger segment is number 0.
        let mut points = blobs(&[vec![0.0, 0.0]], 10, 3).0;
        points.extend(blobs(&[vec![3.0, 3.0]], 20, 5).0);
        let labels = segment(&points, 4, 1, 1);
        assert!(labels[..10].iter().all(|&l| l == 1) && labels[10..].iter().all(|&l| l == 0), "{labels:?}");
        // Segments smaller than asked for are not made.
        assert!(segment(&points, 4, 11, 1).iter().all(|&l| l == 0));
    }
}
