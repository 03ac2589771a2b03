/// An inclusive range of 1-based source lines, as BuildKit reports them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    pub fn line(line: usize) -> Self {
        Span {
            start: line,
            end: line,
        }
    }

    /// Each line of the span: BuildKit's source maps carry one range per line.
    pub fn lines(&self) -> impl Iterator<Item = usize> {
        self.start..=self.end
    }
}

impl std::fmt::Display for Span {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.start == self.end {
            write!(f, "{}", self.start)
        } else {
            write!(f, "{}-{}", self.start, self.end)
        }
    }
}
