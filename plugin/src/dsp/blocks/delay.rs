//! A fixed delay line for stereo frames.

/// Pass `frames` through the delay line `ring` (read and write position `pos`): each comes
/// out `ring.len()` frames later. Returns the new position. Slice swaps, not a wrap per
/// sample.
pub fn delay_through(ring: &mut [[f64; 2]], mut pos: usize, frames: &mut [[f64; 2]]) -> usize {
    if ring.is_empty() {
        return pos;
    }
    let mut done = 0;
    while done < frames.len() {
        let take = (frames.len() - done).min(ring.len() - pos);
        ring[pos..pos + take].swap_with_slice(&mut frames[done..done + take]);
        done += take;
        pos += take;
        if pos == ring.len() {
            pos = 0;
        }
    }
    pos
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_frame_comes_out_the_ring_length_later_in_any_block_size() {
        let x: Vec<[f64; 2]> = (0..1000).map(|i| [i as f64, -(i as f64)]).collect();
        for (len, block) in [(1, 7), (37, 64), (64, 64), (100, 13), (5, 1)] {
            let mut ring = vec![[0.0; 2]; len];
            let mut pos = 0;
            let mut y = x.clone();
            for chunk in y.chunks_mut(block) {
                pos = delay_through(&mut ring, pos, chunk);
            }
            for (i, f) in y.iter().enumerate() {
                let want = if i >= len { x[i - len] } else { [0.0; 2] };
                assert_eq!(*f, want, "len {len}, block {block}, frame {i}");
            }
        }
    }
}
