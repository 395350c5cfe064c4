//! The header's account menu: who, which tenant, when the token expires; tenant
//! switch (signed in with Entra) and sign-out.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::{now_unix, start};
use crate::arm::client::Cancel;
use crate::arm::error::ArmError;
use crate::arm::model::Tenant;
use crate::ui::load::{load, Load};
use crate::ui::use_app;

fn expiry_text(exp: Option<i64>) -> String {
    exp.map_or_else(|| "expiry unknown".into(), |e| expires_in(e - now_unix()))
}

/// Entra's tokens last about an hour; a pasted test token may last years, which in
/// minutes is an unreadable number.
fn expires_in(secs: i64) -> String {
    if secs < 0 {
        return "expired".into();
    }
    match secs / 60 {
        m if m < 120 => format!("expires in {m} min"),
        m if m < 48 * 60 => format!("expires in {} h", m / 60),
        m => format!("expires in {} days", m / (24 * 60)),
    }
}

#[component]
pub fn AccountMenu(claims: crate::auth::paste::Claims) -> impl IntoView {
    let ctx = use_app();
    let signed_in = ctx.account.with_value(Option::is_some);
    let who = claims
        .user
        .clone()
        .or(claims.name.clone())
        .unwrap_or_else(|| "Pasted token".into());
    let user = claims
        .user
        .clone()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "not in the token".into());
    let tenant_id = claims.tenant.clone().unwrap_or_default();
    // The tenant list is read the first time the menu opens, and only for an Entra
    // sign-in (a pasted token may not be allowed to list tenants).
    let opened = RwSignal::new(false);
    let tenants = load(true, move |_| {
        let wanted = signed_in && opened.get();
        async move {
            if !wanted {
                return None;
            }
            Some(ctx.client().tenants(&Cancel::default()).await)
        }
    });
    let expiry = expiry_text(claims.expires_at);
    view! {
        <div class="account-chip">
            <details class="account-menu" on:toggle=move |_| if !opened.get_untracked() { opened.set(true) }>
                // The accessible name is the visible text plus a prefix for screen readers
                // (axe: label-content-name-mismatch); the expiry sits beside the toggle.
                <summary><span class="sr-only">"Account: "</span>{who}<span class="muted" aria-hidden="true">" ▾"</span></summary>
                <div class="menu">
                    <dl>
                        <dt>"User"</dt><dd>{user}</dd>
                        <dt>"Tenant"</dt><dd><TenantName tenants=tenants tenant_id=tenant_id.clone()/></dd>
                        <dt>"Token"</dt><dd>{expiry.clone()}{signed_in.then_some(", renewed automatically")}</dd>
                    </dl>
                    {signed_in.then(|| view! { <TenantSwitch tenants=tenants current=tenant_id/> })}
                    <button type="button" class="chip-action" on:click=move |_| ctx.sign_out()>"Sign out"</button>
                </div>
            </details>
            <span class="muted expiry">{expiry}</span>
        </div>
    }
}

/// The tenants this account can switch to: `None` until the menu first opens.
type Tenants = Load<Option<Result<Vec<Tenant>, ArmError>>>;

/// The tenant's name and domain once the list has it, its id until then.
#[component]
fn TenantName(tenants: Tenants, tenant_id: String) -> impl IntoView {
    move || {
        tenants
            .with(|t| match t {
                Some(Some(Ok(list))) => list
                    .iter()
                    .find(|t| t.tenant_id == tenant_id)
                    .map(|t| format!("{} ({})", t.display_name, t.default_domain)),
                _ => None,
            })
            .unwrap_or_else(|| tenant_id.clone())
    }
}

/// Signs in again to another tenant of the account (a new Entra round trip).
#[component]
fn TenantSwitch(tenants: Tenants, current: String) -> impl IntoView {
    let ctx = use_app();
    let chosen = RwSignal::new(String::new());
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let t = chosen.get_untracked();
        if !t.is_empty() {
            start(ctx, Some(t), false)
        }
    };
    let loading = || view! { <p class="muted">"Loading tenants…"</p> };
    view! {
        <form class="tenant-switch" on:submit=submit>
            <label for="tenant-select">"Switch tenant"</label>
            {move || match tenants.get() {
                Some(Some(Ok(list))) if !list.is_empty() => view! {
                    <select id="tenant-select" on:change=move |ev| chosen.set(event_target_value(&ev))>
                        <option value="">"Choose a tenant"</option>
                        {list.into_iter().filter(|t| t.tenant_id != current).map(|t| view! {
                            <option value=t.tenant_id>{format!("{} ({})", t.display_name, t.default_domain)}</option>
                        }).collect_view()}
                    </select>
                    <button type="submit">"Sign in to this tenant"</button>
                }
                .into_any(),
                Some(Some(Err(e))) => view! {
                    <p class="muted">{format!("The tenant list could not be read: {}", crate::ui::error_view::headline(&e).0)}</p>
                }
                .into_any(),
                _ => loading().into_any(),
            }}
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::expires_in;

    #[test]
    fn expiry_reads_in_the_largest_sensible_unit() {
        assert_eq!(expires_in(-1), "expired");
        assert_eq!(expires_in(59 * 60 + 30), "expires in 59 min");
        assert_eq!(expires_in(119 * 60), "expires in 119 min");
        assert_eq!(expires_in(5 * 3600), "expires in 5 h");
        assert_eq!(expires_in(400 * 86400), "expires in 400 days");
    }
}
