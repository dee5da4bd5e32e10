//! Word shingles, MinHash signatures and LSH banding: the near-duplicate
//! machinery shared by article and passage dedup. Hashes are fixed
//! functions of the text (no random state), so results are deterministic.

use rayon::prelude::*;

/// SplitMix64 finaliser: a fast, well-mixed 64-bit hash step.
pub fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Hashes of the lower-cased words (runs of letters and digits) of `text`,
/// without allocating per word. Punctuation, case and spacing are ignored.
pub fn word_hashes(text: &str, out: &mut Vec<u64>) {
    const SEED: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0100_0000_01b3;
    let bytes = text.as_bytes();
    let mut h = SEED;
    let mut in_word = false;
    let mut i = 0;
    while i < bytes.len() {
        let alnum = if bytes[i].is_ascii() {
            let folded = ASCII_FOLD[bytes[i] as usize];
            i += 1;
            if folded != 0 {
                h = (h ^ folded as u64).wrapping_mul(PRIME);
            }
            folded != 0
        } else {
            let c = text[i..].chars().next().expect("a char starts here");
            i += c.len_utf8();
            if c.is_alphanumeric() {
                for l in c.to_lowercase() {
                    h = (h ^ l as u64).wrapping_mul(PRIME);
                }
            }
            c.is_alphanumeric()
        };
        if alnum {
            in_word = true;
        } else if in_word {
            out.push(mix(h));
            h = SEED;
            in_word = false;
        }
    }
    if in_word {
        out.push(mix(h));
    }
}

/// Each ASCII byte lower-cased when it is a letter or digit, else 0.
const ASCII_FOLD: [u8; 128] = {
    let mut table = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        if (b as u8).is_ascii_alphanumeric() {
            table[b] = (b as u8).to_ascii_lowercase();
        }
        b += 1;
    }
    table
};

/// Hashes of the `k`-word shingles of a word-hash sequence; a text shorter
/// than `k` words gives one shingle of all its words (none when empty).
pub fn shingles(words: &[u64], k: usize, out: &mut Vec<u64>) {
    let k = k.max(1);
    if words.is_empty() {
        return;
    }
    let windows = if words.len() < k { 1 } else { words.len() - k + 1 };
    for i in 0..windows {
        let mut h = k as u64;
        for &w in &words[i..(i + k).min(words.len())] {
            h = mix(h.rotate_left(17) ^ w);
        }
        out.push(h);
    }
}

/// Sorted, de-duplicated shingle hashes of `text`.
pub fn shingle_set(text: &str, k: usize) -> Vec<u64> {
    let mut words = Vec::new();
    word_hashes(text, &mut words);
    word_shingle_set(&words, k)
}

/// Sorted, de-duplicated `k`-word shingle hashes of a word-hash sequence.
pub fn word_shingle_set(words: &[u64], k: usize) -> Vec<u64> {
    let mut sh = Vec::with_capacity(words.len());
    shingles(words, k, &mut sh);
    sh.sort_unstable();
    sh.dedup();
    sh
}

/// Size of the intersection of two sorted, de-duplicated sets.
pub fn intersection<T: Ord + Copy>(a: &[T], b: &[T]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    // Branch-free steps: the comparisons of a merge are unpredictable.
    while i < a.len() && j < b.len() {
        let (x, y) = (a[i], b[j]);
        n += usize::from(x == y);
        i += usize::from(x <= y);
        j += usize::from(y <= x);
    }
    n
}

/// Jaccard similarity of two sorted, de-duplicated sets (1 when both empty).
pub fn jaccard<T: Ord + Copy>(a: &[T], b: &[T]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let i = intersection(a, b);
    i as f64 / (a.len() + b.len() - i) as f64
}

/// Sorted shingle sets of many items in one flat array, each shingle kept
/// as the high 32 bits of its hash: half the memory of the full hashes and
/// the same set sizes; two sets differ from the full ones in intersection
/// only when distinct shingles of the pair share those 32 bits. Each set
/// also has a 512-bit sketch (one bit per member) for a quick upper bound.
pub struct SetTable {
    hashes: Vec<u32>,
    bounds: Vec<usize>,
    sketches: Vec<[u64; 8]>,
}

impl SetTable {
    /// The sets of items `0..n`, with a value derived from each full set:
    /// `f(i)` returns item `i`'s sorted, de-duplicated shingle set and its
    /// value. Works in parallel chunks, so only one chunk of full sets is
    /// held at a time.
    pub fn build<E: Send>(n: usize, f: impl Fn(usize) -> (Vec<u64>, E) + Sync) -> (Self, Vec<E>) {
        const CHUNK: usize = 1 << 14;
        let mut table = SetTable {
            hashes: Vec::new(),
            bounds: Vec::with_capacity(n + 1),
            sketches: Vec::with_capacity(n),
        };
        table.bounds.push(0);
        let mut values = Vec::with_capacity(n);
        for start in (0..n).step_by(CHUNK) {
            let chunk: Vec<(Vec<u32>, [u64; 8], E)> = (start..(start + CHUNK).min(n))
                .into_par_iter()
                .map(|i| {
                    let (set, value) = f(i);
                    let mut short: Vec<u32> = set.iter().map(|&x| (x >> 32) as u32).collect();
                    short.sort_unstable();
                    let mut sketch = [0u64; 8];
                    for &x in &short {
                        sketch[(x >> 6) as usize & 7] |= 1 << (x & 63);
                    }
                    (short, sketch, value)
                })
                .collect();
            table.hashes.reserve(chunk.iter().map(|c| c.0.len()).sum());
            for (short, sketch, value) in chunk {
                table.hashes.extend_from_slice(&short);
                table.bounds.push(table.hashes.len());
                table.sketches.push(sketch);
                values.push(value);
            }
        }
        table.hashes.shrink_to_fit();
        (table, values)
    }

    /// Item `i`'s set, sorted.
    pub fn get(&self, i: usize) -> &[u32] {
        &self.hashes[self.bounds[i]..self.bounds[i + 1]]
    }

    /// An upper bound on the intersection of sets `i` and `j`, cheaper than
    /// [`intersection`]: the members of the smaller set whose bit is set in
    /// the other's sketch.
    pub fn intersection_bound(&self, i: usize, j: usize) -> usize {
        let (small, other) = if self.get(i).len() <= self.get(j).len() {
            (i, j)
        } else {
            (j, i)
        };
        let sketch = &self.sketches[other];
        self.get(small)
            .iter()
            .map(|&x| (sketch[(x >> 6) as usize & 7] >> (x & 63) & 1) as usize)
            .sum()
    }
}

/// A family of `n` hash functions `h_i(x) = (a_i x + b_i) >> 32`
/// (multiply-shift on already mixed shingle hashes).
pub struct MinHasher {
    a: Vec<u64>,
    b: Vec<u64>,
    /// The processor has AVX-512 (checked once): see [`MinHasher::signature`].
    wide: bool,
}

impl MinHasher {
    pub fn new(n: usize) -> Self {
        let (a, b) = (0..n as u64)
            .map(|i| (mix(i.wrapping_mul(2).wrapping_add(1)) | 1, mix(0x5eed ^ (i << 32))))
            .unzip();
        #[cfg(target_arch = "x86_64")]
        let wide = std::is_x86_feature_detected!("avx512f")
            && std::is_x86_feature_detected!("avx512dq")
            && std::is_x86_feature_detected!("avx512vl");
        #[cfg(not(target_arch = "x86_64"))]
        let wide = false;
        MinHasher { a, b, wide }
    }

    pub fn len(&self) -> usize {
        self.a.len()
    }

    pub fn is_empty(&self) -> bool {
        self.a.is_empty()
    }

    /// Writes the signature of `shingles` into `sig` (length `self.len()`).
    /// The same integer arithmetic either way; with AVX-512 the compiler
    /// does eight 64-bit products in one instruction (this loop was 7% of
    /// a rebuild's instructions done one product at a time).
    pub fn signature(&self, shingles: &[u64], sig: &mut [u32]) {
        #[cfg(target_arch = "x86_64")]
        if self.wide {
            // SAFETY: `wide` is set only when the processor has these features.
            unsafe { signature_avx512(&self.a, &self.b, shingles, sig) };
            return;
        }
        signature_into(&self.a, &self.b, shingles, sig);
    }
}

/// The minimum of `h_i` over `shingles`, for each `i`, into `sig[i]`.
#[inline(always)]
fn signature_into(a: &[u64], b: &[u64], shingles: &[u64], sig: &mut [u32]) {
    let n = sig.len();
    let (a, b) = (&a[..n], &b[..n]);
    sig.fill(u32::MAX);
    for &x in shingles {
        for i in 0..n {
            let v = (a[i].wrapping_mul(x).wrapping_add(b[i]) >> 32) as u32;
            sig[i] = sig[i].min(v);
        }
    }
}

/// [`signature_into`] compiled for AVX-512.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq,avx512vl")]
unsafe fn signature_avx512(a: &[u64], b: &[u64], shingles: &[u64], sig: &mut [u32]) {
    signature_into(a, b, shingles, sig)
}

/// Estimated Jaccard similarity: the share of equal signature slots.
pub fn estimate(a: &[u32], b: &[u32]) -> f64 {
    if a.is_empty() {
        return 0.0;
    }
    a.iter().zip(b).filter(|(x, y)| x == y).count() as f64 / a.len() as f64
}

/// One band key: a hash of `rows` signature slots.
pub fn band_key(sig: &[u32], band: usize, rows: usize) -> u64 {
    let mut h = band as u64;
    for &v in &sig[band * rows..(band + 1) * rows] {
        h = mix(h ^ v as u64);
    }
    h
}

/// Chooses `(bands, rows)` with `bands * rows <= perms` under the LSH
/// S-curve `P(s) = 1 - (1 - s^r)^b`: among the settings that make a pair
/// at the threshold a candidate with probability at least 0.98, the one
/// with the least false-positive area below the threshold (candidates are
/// verified exactly, so extra candidates cost time, misses lose results).
pub fn lsh_params(threshold: f64, perms: usize) -> (usize, usize) {
    let p = |s: f64, b: usize, r: usize| 1.0 - (1.0 - s.powi(r as i32)).powi(b as i32);
    let area = |lo: f64, hi: f64, f: &dyn Fn(f64) -> f64| {
        let steps = 200;
        let dx = (hi - lo) / steps as f64;
        (0..steps).map(|i| f(lo + (i as f64 + 0.5) * dx) * dx).sum::<f64>()
    };
    let mut best = (f64::INFINITY, 1, perms.max(1));
    let mut fallback = (f64::INFINITY, 1, perms.max(1));
    for b in 1..=perms {
        for r in 1..=perms / b {
            let fp = area(0.0, threshold, &|s| p(s, b, r));
            let fneg = area(threshold, 1.0, &|s| 1.0 - p(s, b, r));
            if p(threshold, b, r) >= 0.98 && fp < best.0 - 1e-12 {
                best = (fp, b, r);
            }
            if fp + 4.0 * fneg < fallback.0 - 1e-12 {
                fallback = (fp + 4.0 * fneg, b, r);
            }
        }
    }
    if best.0.is_finite() {
        (best.1, best.2)
    } else {
        (fallback.1, fallback.2)
    }
}

/// Disjoint sets over `0..n` with path halving; the root of a set is its
/// smallest member, so components do not depend on union order.
pub struct UnionFind {
    parent: Vec<u32>,
}

impl UnionFind {
    pub fn new(n: usize) -> Self {
        UnionFind {
            parent: (0..n as u32).collect(),
        }
    }

    pub fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let p = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = p;
            x = p;
        }
        x
    }

    pub fn union(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.parent[hi as usize] = lo;
        }
    }

    /// Members of every set with two or more members, each sorted, sets
    /// ordered by their smallest member.
    pub fn groups(&mut self) -> Vec<Vec<u32>> {
        let n = self.parent.len();
        let mut by_root: Vec<Vec<u32>> = vec![Vec::new(); n];
        for x in 0..n as u32 {
            let r = self.find(x);
            by_root[r as usize].push(x);
        }
        by_root.into_iter().filter(|g| g.len() > 1).collect()
    }
}

/// Candidate pairs `(i, j)`, `i < j`, that share a band key: `keys` holds
/// `(key, item)` once per item (sorted here). Each pair comes out once, by
/// bucket. A bucket larger than `cap` is linked as a star around its first
/// member instead of all pairs, so a passage repeated thousands of times
/// costs linear time.
pub fn band_pairs(keys: &mut [(u64, u32)], cap: usize, out: &mut Vec<(u32, u32)>) {
    keys.sort_unstable();
    let sorted = keys;
    let mut i = 0;
    while i < sorted.len() {
        let mut j = i + 1;
        while j < sorted.len() && sorted[j].0 == sorted[i].0 {
            j += 1;
        }
        let run = &sorted[i..j];
        if run.len() > cap {
            for x in &run[1..] {
                out.push((run[0].1.min(x.1), run[0].1.max(x.1)));
            }
        } else {
            for (a, x) in run.iter().enumerate() {
                for y in &run[a + 1..] {
                    out.push((x.1.min(y.1), x.1.max(y.1)));
                }
            }
        }
        i = j;
    }
}

/// Candidate pairs among `n` items over `bands` bands, `key(item, band)`
/// being an item's key in a band: [`band_pairs`] of every band (bands in
/// parallel), sorted and without repeats.
pub fn candidate_pairs(
    n: usize,
    bands: usize,
    cap: usize,
    key: impl Fn(usize, usize) -> u64 + Sync,
) -> Vec<(u32, u32)> {
    let mut pairs: Vec<(u32, u32)> = (0..bands)
        .into_par_iter()
        .flat_map_iter(|b| {
            let mut keyed: Vec<(u64, u32)> = (0..n).map(|r| (key(r, b), r as u32)).collect();
            let mut pairs = Vec::new();
            band_pairs(&mut keyed, cap, &mut pairs);
            pairs
        })
        .collect();
    pairs.par_sort_unstable();
    pairs.dedup();
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_ignore_case_and_punctuation() {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        word_hashes("Hello,  WORLD!", &mut a);
        word_hashes("hello world", &mut b);
        assert_eq!(a, b);
        assert_eq!(a.len(), 2);
    }

    #[test]
    fn words_fold_non_ascii_letters() {
        let (mut a, mut b, mut c) = (Vec::new(), Vec::new(), Vec::new());
        word_hashes("Café — ÉCOLE «naïve»", &mut a);
        word_hashes("café école naïve", &mut b);
        word_hashes("cafe ecole naive", &mut c);
        assert_eq!(a, b);
        assert_eq!(a.len(), 3);
        assert_ne!(a, c);
    }

    #[test]
    fn set_table_keeps_sets_and_bounds_their_intersection() {
        let texts: Vec<String> = (0..40)
            .map(|i| {
                (i..i + 30 + i % 7)
                    .map(|w| format!("w{w}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        let (table, lens) = SetTable::build(texts.len(), |i| {
            let set = shingle_set(&texts[i], 3);
            let len = set.len();
            (set, len)
        });
        for i in 0..texts.len() {
            assert_eq!(table.get(i).len(), lens[i]);
            assert!(table.get(i).windows(2).all(|w| w[0] <= w[1]));
            for j in 0..texts.len() {
                let exact = intersection(&shingle_set(&texts[i], 3), &shingle_set(&texts[j], 3));
                assert_eq!(intersection(table.get(i), table.get(j)), exact);
                let bound = table.intersection_bound(i, j);
                assert!(
                    bound >= exact && bound <= lens[i].min(lens[j]),
                    "{i} {j}: {bound} < {exact}"
                );
            }
        }
        // Far-apart texts share nothing and the sketch sees most of it.
        assert_eq!(intersection(table.get(0), table.get(39)), 0);
        assert!(table.intersection_bound(0, 39) < lens[0] / 2);
    }

    #[test]
    fn jaccard_of_shingle_sets() {
        let a = shingle_set("one two three four five six", 3);
        let b = shingle_set("one two three four five seven", 3);
        // 4 shingles each, 3 shared.
        assert!((jaccard(&a, &b) - 3.0 / 5.0).abs() < 1e-9);
        assert_eq!(jaccard(&a, &a), 1.0);
        assert_eq!(shingle_set("just two", 5).len(), 1);
    }

    #[test]
    fn signature_estimate_tracks_jaccard() {
        let text: Vec<String> = (0..400).map(|i| format!("w{i}")).collect();
        let a = shingle_set(&text.join(" "), 3);
        let b = shingle_set(&text[..300].join(" "), 3);
        let h = MinHasher::new(256);
        let (mut sa, mut sb) = (vec![0; 256], vec![0; 256]);
        h.signature(&a, &mut sa);
        h.signature(&b, &mut sb);
        let est = estimate(&sa, &sb);
        assert!((est - jaccard(&a, &b)).abs() < 0.1, "{est}");
    }

    #[test]
    fn signatures_are_the_same_with_or_without_avx512() {
        let h = MinHasher::new(32);
        for n in [0usize, 1, 7, 50, 333] {
            let shingles: Vec<u64> = (0..n as u64).map(|i| mix(i ^ 0xabc)).collect();
            let (mut fast, mut plain) = (vec![0; 32], vec![0; 32]);
            h.signature(&shingles, &mut fast);
            signature_into(&h.a, &h.b, &shingles, &mut plain);
            assert_eq!(fast, plain, "{n} shingles");
            if n > 0 {
                let by_hand: Vec<u32> = (0..32)
                    .map(|i| {
                        shingles
                            .iter()
                            .map(|&x| (h.a[i].wrapping_mul(x).wrapping_add(h.b[i]) >> 32) as u32)
                            .min()
                            .unwrap()
                    })
                    .collect();
                assert_eq!(plain, by_hand);
            }
        }
    }

    #[test]
    fn lsh_params_put_the_curve_near_the_threshold() {
        for t in [0.3, 0.5, 0.8] {
            let (b, r) = lsh_params(t, 128);
            assert!(b * r <= 128);
            let knee = (1.0 / b as f64).powf(1.0 / r as f64);
            assert!(knee < t && knee > t - 0.4, "t={t} b={b} r={r} knee={knee}");
            let at_t = 1.0 - (1.0 - t.powi(r as i32)).powi(b as i32);
            assert!(at_t >= 0.98, "t={t} b={b} r={r} P={at_t}");
        }
    }

    #[test]
    fn union_find_roots_are_smallest() {
        let mut uf = UnionFind::new(5);
        uf.union(4, 2);
        uf.union(2, 3);
        assert_eq!(uf.groups(), vec![vec![2, 3, 4]]);
    }

    #[test]
    fn big_buckets_become_stars() {
        let mut keys: Vec<(u64, u32)> = (0..10).map(|i| (7, i)).collect();
        let mut out = Vec::new();
        band_pairs(&mut keys, 3, &mut out);
        assert_eq!(out.len(), 9);
        out.clear();
        band_pairs(&mut keys[..3], 3, &mut out);
        assert_eq!(out.len(), 3);
    }
}
