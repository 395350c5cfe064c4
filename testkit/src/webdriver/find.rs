//! Finding elements by ARIA role and accessible name: the CSS that narrows the search and the
//! in-page script that keeps what is displayed and may carry the name.

// ------------------------------------------------------------------ role lookup

/// CSS candidates for an ARIA role; the computed role filters them exactly.
pub(super) fn selector_for(role: &str) -> String {
    let native = match role {
        "button" => "button, input[type=button], input[type=submit], input[type=reset], input[type=image], summary",
        // Chromium computes this (non-ARIA) role for <summary>, the toggle of a <details>.
        "DisclosureTriangle" => "summary",
        "link" => "a[href], area[href]",
        "dialog" => "dialog, [role=alertdialog]",
        "alertdialog" => "dialog",
        "heading" => "h1, h2, h3, h4, h5, h6",
        "row" => "tr",
        "cell" => "td, [role=gridcell]",
        "gridcell" => "td",
        "columnheader" | "rowheader" => "th",
        "table" => "table, [role=grid]",
        "grid" => "table",
        "rowgroup" => "thead, tbody, tfoot",
        "tooltip" => "[popover]",
        "status" => "output",
        "alert" => "[aria-live=assertive]",
        "group" => "fieldset, details, optgroup",
        "region" => "section",
        "progressbar" => "progress",
        "meter" => "meter",
        "list" => "ul, ol, menu",
        "listitem" => "li",
        "textbox" => "input:not([type]), input[type=text], input[type=email], input[type=tel], input[type=url], input[type=password], textarea, [contenteditable]",
        "searchbox" => "input[type=search]",
        "combobox" => "select, input[list], input:not([type]), input[type=text], input[type=search], input[type=email], input[type=tel], input[type=url]",
        "listbox" => "select, datalist",
        "option" => "option",
        "checkbox" => "input[type=checkbox]",
        "radio" => "input[type=radio]",
        "slider" => "input[type=range]",
        "spinbutton" => "input[type=number]",
        "switch" => "input[type=checkbox]",
        "navigation" => "nav",
        "banner" => "header",
        "contentinfo" => "footer",
        "main" => "main",
        "complementary" => "aside",
        "form" => "form",
        "search" => "search",
        "article" => "article",
        "img" | "image" => "img, svg, [role~=img], [role~=image]",
        "figure" => "figure",
        "separator" => "hr",
        "paragraph" => "p",
        "term" => "dt, dfn",
        "definition" => "dd",
        _ => "",
    };
    // Explicit roles may carry fallbacks ("switch checkbox"): match the word.
    let explicit = format!("[role~=\"{}\"]", role.replace(['"', '\\'], ""));
    if native.is_empty() {
        explicit
    } else {
        format!("{native}, {explicit}")
    }
}

/// What a failed wait lists besides the asked role.
pub(super) const OVERVIEW_SELECTOR: &str = "button, a[href], h1, h2, h3, h4, h5, h6, dialog, [role], input, select, textarea, \
     table, nav, main, header, footer, aside, section, form, summary, progress, output, fieldset, ul, ol";

/// Whether an element is displayed (what a user could see), shared by the two scripts.
macro_rules! visible_js {
    () => {
        r#"
const visible = el => {
  if (!el.isConnected) return false;
  if (el.tagName === 'OPTION') { const s = el.closest('select, datalist'); return !s || visible(s); }
  if (el.checkVisibility && !el.checkVisibility({opacityProperty: true, visibilityProperty: true})) return false;
  if (el.getClientRects().length > 0) return true;
  return getComputedStyle(el).display === 'contents';
};
"#
    };
}

/// arguments: [root element or null, selector, name hint]. Returns the
/// displayed matches in document order. To save round trips, the hint drops
/// elements whose text, `<label>`s, `aria-labelledby` targets and label-like
/// attributes (also on descendants) cannot contain the name (whitespace and
/// case ignored); the exact name comes from Chromium afterwards. (A name made
/// only of CSS generated content would be missed.)
pub(super) const FIND_JS: &str = concat!(
    visible_js!(),
    r#"
if (arguments[4] && window === window.top) return 'detached';
if (arguments[3] && !(document.readyState === 'complete' && !(window.__lbh && window.__lbh.leaving) && !(document.body && document.body.getAttribute('aria-busy') === 'true'))) return null;
const root = arguments[0] || document;
const sel = arguments[1];
const squash = s => (s || '').replace(/\s+/g, '').toLowerCase();
const hint = squash(arguments[2]);
const mayBeNamed = el => {
  if (!hint) return true;
  let text = (el.textContent || '') + ' ' + (typeof el.value === 'string' ? el.value : '');
  const attrs = ['aria-label', 'title', 'alt', 'placeholder', 'value'];
  for (const n of [el, ...el.querySelectorAll('[aria-label], [aria-labelledby], [title], [alt]')]) {
    for (const a of attrs) text += ' ' + (n.getAttribute(a) || '');
    for (const id of (n.getAttribute('aria-labelledby') || '').split(/\s+/)) {
      const ref = id && document.getElementById(id);
      if (ref) text += ' ' + ref.textContent + ' ' + (ref.getAttribute('aria-label') || '');
    }
  }
  if (el.labels) for (const l of el.labels) text += ' ' + l.textContent;
  return squash(text).includes(hint);
};
const out = [];
for (const el of root.querySelectorAll(sel)) {
  if (visible(el) && mayBeNamed(el)) out.push(el);
}
return out;
"#
);

pub(super) const VISIBLE_JS: &str = concat!(visible_js!(), "return visible(arguments[0]);");
