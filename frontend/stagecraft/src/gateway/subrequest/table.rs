//! Columns as Go's `tabwriter` aligns them (no minimum width, space
//! padding): every cell but the last of a row is padded to its column's
//! widest cell plus `padding`.

pub fn render(rows: &[Vec<String>], padding: usize) -> String {
    let mut widths: Vec<usize> = Vec::new();
    for row in rows {
        for (i, cell) in row.iter().enumerate().take(row.len().saturating_sub(1)) {
            let w = cell.chars().count();
            match widths.get_mut(i) {
                Some(max) => *max = (*max).max(w),
                None => widths.push(w),
            }
        }
    }
    let mut out = String::new();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            out.push_str(cell);
            if i + 1 < row.len() {
                let width = widths.get(i).copied().unwrap_or(0) + padding;
                out.push_str(&" ".repeat(width.saturating_sub(cell.chars().count())));
            }
        }
        out.push('\n');
    }
    out
}
