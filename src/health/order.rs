//! Sorting through one key type. Every `sort_by_key` with its own element type or
//! closure links its own copy of the sort into the wasm (about 2 KB each); sorting
//! `(key, index)` pairs and moving the items after keeps it to one.

/// A rank, then text: enough for every order the app shows.
pub type Key = (u64, String);

/// `keyed` ordered by key, then by index, so equal keys keep a fixed order.
pub fn sort_keyed(keyed: &mut [(Key, usize)]) {
    keyed.sort_unstable();
}

/// `items` ordered by `key` (ties keep their original order).
pub fn by_key<T>(items: Vec<T>, key: impl Fn(&T) -> Key) -> Vec<T> {
    let mut keyed: Vec<(Key, usize)> = items.iter().enumerate().map(|(i, t)| (key(t), i)).collect();
    sort_keyed(&mut keyed);
    let mut slots: Vec<Option<T>> = items.into_iter().map(Some).collect();
    keyed
        .into_iter()
        .filter_map(|(_, i)| slots[i].take())
        .collect()
}

/// `items` by a name, ASCII case folded: Unicode case tables cost wasm size, and Azure
/// resource names are ASCII.
pub fn by_name<T>(items: Vec<T>, name: impl Fn(&T) -> &str) -> Vec<T> {
    by_key(items, |t| (0, name(t).to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_name_folds_case_and_keeps_ties_in_order() {
        let v = vec![("b", 1), ("A", 2), ("a", 3), ("C", 4)];
        assert_eq!(
            by_name(v, |t| t.0),
            vec![("A", 2), ("a", 3), ("b", 1), ("C", 4)]
        );
    }

    #[test]
    fn rank_comes_before_text() {
        let v = vec![(2, "a"), (1, "z"), (1, "b")];
        assert_eq!(
            by_key(v, |t| (t.0, t.1.to_owned())),
            vec![(1, "b"), (1, "z"), (2, "a")]
        );
    }

    #[test]
    fn empty_and_single() {
        assert!(by_name(Vec::<&str>::new(), |s| s).is_empty());
        assert_eq!(by_name(vec!["x"], |s| s), vec!["x"]);
    }
}
