//! An element of the page, found by role and name.

use super::*;

// ------------------------------------------------------------------ Element

/// A reference to a DOM element in a `Browser`.
#[derive(Clone)]
pub struct Element {
    pub(super) s: Arc<Session>,
    pub(super) id: String,
}

impl fmt::Debug for Element {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Element({})", self.id)
    }
}

impl Element {
    fn path(&self, tail: &str) -> String {
        format!("/element/{}{tail}", self.id)
    }

    pub(super) fn try_role(&self) -> Result<String, WdError> {
        let v = self.s.try_cmd("GET", &self.path("/computedrole"), None)?;
        Ok(v.as_str().unwrap_or("").to_string())
    }

    pub(super) fn try_name(&self) -> Result<String, WdError> {
        let v = self.s.try_cmd("GET", &self.path("/computedlabel"), None)?;
        Ok(v.as_str().unwrap_or("").trim().to_string())
    }

    /// The WebDriver reference, to pass as an `exec` argument.
    pub fn json(&self) -> Value {
        json!({ ELEMENT_KEY: self.id })
    }

    /// Clicks the element's center (scrolling it into view). Retries while the
    /// element is covered or not yet interactable, up to the timeout.
    pub fn click(&self) {
        let start = Instant::now();
        loop {
            match self
                .s
                .try_cmd("POST", &self.path("/click"), Some(json!({})))
            {
                Ok(_) => return,
                Err(e)
                    if (e.error == "element click intercepted"
                        || e.error == "element not interactable")
                        && start.elapsed() < self.s.timeout() =>
                {
                    // ChromeDriver scrolls an element just into view, where a sticky
                    // header (the panel's) may cover it: a person would scroll a little
                    // further, so bring it to the middle and try again.
                    if e.error == "element click intercepted" {
                        let _ = self.s.try_exec(
                            "arguments[0].scrollIntoView({block: 'center'})",
                            vec![self.json()],
                        );
                    }
                    std::thread::sleep(POLL)
                }
                Err(e) => panic!(
                    "click on {} {:?} failed: {e}\n{}",
                    self.try_role().unwrap_or_default(),
                    self.try_name().unwrap_or_default(),
                    self.s.failure_screenshot()
                ),
            }
        }
    }

    /// `arguments[0].focus()`.
    pub fn focus(&self) {
        self.s.exec("arguments[0].focus();", vec![self.json()]);
    }

    /// Moves the mouse over the element's center (scrolling it into view).
    pub fn hover(&self) {
        self.s.exec(
            "arguments[0].scrollIntoView({block: 'center', inline: 'center'});",
            vec![self.json()],
        );
        self.s.actions(json!([{
            "type": "pointer",
            "id": "mouse",
            "parameters": { "pointerType": "mouse" },
            "actions": [{ "type": "pointerMove", "duration": 0, "origin": self.json(), "x": 0, "y": 0 }]
        }]));
    }

    /// The rendered text (`innerText`-like).
    pub fn text(&self) -> String {
        let v = self.s.cmd("GET", &self.path("/text"), None);
        v.as_str().unwrap_or("").to_string()
    }

    /// The rendered text, or `None` once the element has left the page (a row the app
    /// drew again while a wait looked at it).
    pub fn try_text(&self) -> Option<String> {
        let v = self.s.try_cmd("GET", &self.path("/text"), None).ok()?;
        Some(v.as_str().unwrap_or("").to_string())
    }

    /// The DOM attribute `name` (`getAttribute`), None when absent.
    pub fn attr(&self, name: &str) -> Option<String> {
        let v = self.s.exec(
            "return arguments[0].getAttribute(arguments[1]);",
            vec![self.json(), json!(name)],
        );
        v.as_str().map(str::to_string)
    }

    /// The ARIA role Chromium computes.
    pub fn role(&self) -> String {
        self.try_role()
            .unwrap_or_else(|e| panic!("webdriver computedrole failed: {e}"))
    }

    /// The accessible name Chromium computes (trimmed).
    pub fn name(&self) -> String {
        self.try_name()
            .unwrap_or_else(|e| panic!("webdriver computedlabel failed: {e}"))
    }

    /// Waits for a displayed descendant with this role and name.
    pub fn by_role(&self, role: &str, name: &str) -> Element {
        let what = format!(
            "a displayed {role} named {name:?} inside {} {:?}",
            self.role(),
            self.name()
        );
        self.s.wait_for(&what, Some(self), Some(role), || {
            self.s
                .find(Some(self), role, Some(name), false)
                .and_then(|v| v.into_iter().next())
        })
    }

    /// Like `by_role`, without waiting for the element (only for the page to settle).
    pub fn try_by_role(&self, role: &str, name: &str) -> Option<Element> {
        self.s
            .find_settled(Some(self), role, Some(name))
            .into_iter()
            .next()
    }

    /// The displayed descendants with this role, once the page is settled.
    pub fn all_by_role(&self, role: &str) -> Vec<Element> {
        self.s.find_settled(Some(self), role, None)
    }

    pub fn is_displayed(&self) -> bool {
        match self.s.try_exec(VISIBLE_JS, vec![self.json()]) {
            Ok(v) => v.as_bool().unwrap_or(false),
            Err(e) if e.is_stale() => false,
            Err(e) => panic!("webdriver is_displayed failed: {e}"),
        }
    }

    /// Whether both refer to the same DOM node.
    pub fn same_as(&self, other: &Element) -> bool {
        self.id == other.id
            || self
                .s
                .exec(
                    "return arguments[0] === arguments[1];",
                    vec![self.json(), other.json()],
                )
                .as_bool()
                .unwrap_or(false)
    }

    /// Picks `value` in a `<select>` and fires its `change`, as choosing an option
    /// does. (Sending keys to a select differs across the three drivers.)
    pub fn choose(&self, value: &str) {
        self.s.exec(
            "arguments[0].value = arguments[1]; \
             arguments[0].dispatchEvent(new Event('change', {bubbles: true}));",
            vec![self.json(), value.into()],
        );
    }

    /// Types into the element (WebDriver "Element Send Keys": focuses it first).
    pub fn send_keys(&self, text: &str) {
        let body = Some(json!({ "text": text }));
        if let Err(e) = self.s.try_cmd("POST", &self.path("/value"), body.clone()) {
            // WebKitWebDriver now and then answers a bare "unknown error" (HTTP 500) and
            // types nothing (CI, e2e_live in WebKit): sent again only if the field is
            // still empty, so a text is never typed twice.
            let empty = self
                .s
                .exec("return arguments[0].value === '';", vec![self.json()]);
            if e.error != "unknown error" || empty != json!(true) {
                panic!("webdriver POST {} failed: {e}", self.path("/value"));
            }
            self.s.cmd("POST", &self.path("/value"), body);
        }
    }
}
