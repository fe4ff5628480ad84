//! A fixed-capacity string, so updating the status text never allocates.

use std::fmt;

/// Up to `N` bytes of UTF-8; writes beyond that are cut at a character boundary.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct FixedText<const N: usize> {
    bytes: [u8; N],
    len: usize,
}

impl<const N: usize> FixedText<N> {
    pub const fn new() -> Self {
        Self {
            bytes: [0; N],
            len: 0,
        }
    }

    pub fn clear(&mut self) {
        self.len = 0;
    }

    pub fn as_str(&self) -> &str {
        // Only whole characters are ever copied in, so this never fails.
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or("")
    }
}

impl<const N: usize> Default for FixedText<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> fmt::Write for FixedText<N> {
    /// Appends what fits and drops the rest, so a long message is truncated rather than lost.
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for c in s.chars() {
            let width = c.len_utf8();
            if self.len + width > N {
                break;
            }
            c.encode_utf8(&mut self.bytes[self.len..self.len + width]);
            self.len += width;
        }
        Ok(())
    }
}

impl<const N: usize> fmt::Debug for FixedText<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt::Write;

    #[test]
    fn truncates_at_capacity_and_char_boundary() {
        let mut t = FixedText::<4>::new();
        write!(t, "abé!").unwrap();
        assert_eq!(t.as_str(), "abé");
        t.clear();
        write!(t, "{}", 12345).unwrap();
        assert_eq!(t.as_str(), "1234");
    }
}
