//! The ARM payloads LB Health reads. Every field is optional or defaulted: ARM adds
//! fields over time and older api-versions omit some, and a missing field must never
//! fail a whole page.
//!
//! Reading is table-driven rather than `#[derive(Deserialize)]`: each type has a
//! [`Shape`] (field names and kinds), one generic reader walks any shape into a
//! [`Json`] tree, and plain functions move the tree into the structs. The derive gave
//! every struct, option and list its own copy of the parsing code, about a sixth of the
//! wasm; the shapes ask serde_json for each value the way the derive did
//! (`deserialize_string`, `deserialize_option`, ...), so what parses, what fails and
//! the error messages (with line and column) are the same. The demo and the exports
//! write JSON from the same tree ([`Json::write`]); `Serialize` is implemented through
//! it for the test server.

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Unexpected, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// `GET /subscriptions` and the load balancer list share this paged envelope.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page<T> {
    pub value: Vec<T>,
    pub next_link: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Subscription {
    pub subscription_id: String,
    pub display_name: String,
    pub state: String,
    pub tenant_id: String,
}

impl Subscription {
    /// Case-insensitive match on the display name or the id; an empty query matches.
    pub fn matches(&self, query: &str) -> bool {
        let q = query.trim().to_ascii_lowercase();
        q.is_empty()
            || self.display_name.to_ascii_lowercase().contains(&q)
            || self.subscription_id.to_ascii_lowercase().contains(&q)
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sku {
    pub name: String,
    pub tier: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SubResource {
    pub id: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoadBalancer {
    pub id: String,
    pub name: String,
    pub location: String,
    pub sku: Sku,
    pub properties: LoadBalancerProperties,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoadBalancerProperties {
    pub frontend_ip_configurations: Vec<Named<FrontendProperties>>,
    pub backend_address_pools: Vec<Named<PoolProperties>>,
    pub probes: Vec<Named<ProbeProperties>>,
    pub load_balancing_rules: Vec<Named<RuleProperties>>,
}

/// ARM's child resources all look like `{ name, id, properties }`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Named<P> {
    pub name: String,
    pub id: String,
    pub properties: P,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct FrontendProperties {
    pub private_ip_address: Option<String>,
    pub public_ip_address: Option<SubResource>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct PoolProperties {
    pub load_balancer_backend_addresses: Vec<Named<BackendAddressProperties>>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct BackendAddressProperties {
    pub admin_state: Option<String>,
    pub ip_address: Option<String>,
    pub network_interface_ip_configuration: Option<SubResource>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProbeProperties {
    pub protocol: String,
    pub port: u16,
    pub request_path: Option<String>,
    pub interval_in_seconds: Option<u32>,
    pub number_of_probes: Option<u32>,
    pub probe_threshold: Option<u32>,
    pub no_healthy_backends_behavior: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RuleProperties {
    pub protocol: String,
    pub frontend_port: u16,
    pub backend_port: u16,
    pub frontend_ip_configuration: Option<SubResource>,
    pub backend_address_pool: Option<SubResource>,
    pub probe: Option<SubResource>,
}

/// The 200 body of the health operation's Location.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HealthResult {
    /// Lenient: a null or a stringified number must not fail the panel; the rows are
    /// the truth and the counts are recomputed from them anyway.
    pub up: u32,
    pub down: u32,
    /// `null` reads as no rows.
    pub load_balancer_backend_addresses: Vec<BackendHealth>,
}

/// Every field is lenient: a string, null, a number, or an object carrying `id`;
/// anything else reads as empty.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BackendHealth {
    pub ip_address: String,
    /// A string in the API; one spec version typed it as an object with an `id`.
    pub network_interface_ip_configuration_id: String,
    pub state: String,
    pub reason: String,
}

// ------------------------------------------------------------------ shapes

/// What a value must look like, mirroring what the derive asked serde_json for.
#[derive(Debug)]
pub enum Shape {
    /// `String`: a string; null and anything else fail.
    Str,
    /// `u16` / `u32`: an integer in range.
    U16,
    U32,
    /// `Option<_>`: null, or the inner shape.
    Opt(&'static Shape),
    /// `Vec<_>`: an array of the inner shape.
    Seq(&'static Shape),
    /// A struct: an object whose known fields have these shapes (unknown ones are
    /// skipped, a repeated one fails), or, as serde allows, an array of them in order.
    Struct(&'static str, &'static [(&'static str, &'static Shape)]),
    /// A string, a number, null, or an object carrying `id` (the last string one wins);
    /// anything else reads as empty, which is `Json::Null`.
    Lenient,
}

static STR: Shape = Shape::Str;
static U16: Shape = Shape::U16;
static OPT_STR: Shape = Shape::Opt(&STR);
static OPT_U32: Shape = Shape::Opt(&Shape::U32);
static LENIENT: Shape = Shape::Lenient;
static SUB: Shape = Shape::Struct("SubResource", &[("id", &STR)]);
static OPT_SUB: Shape = Shape::Opt(&SUB);
static SKU: Shape = Shape::Struct("Sku", &[("name", &STR), ("tier", &STR)]);
static SUBSCRIPTION: Shape =
    Shape::Struct("Subscription", &[("subscriptionId", &STR), ("displayName", &STR), ("state", &STR), ("tenantId", &STR)]);
static LOAD_BALANCER: Shape = Shape::Struct(
    "LoadBalancer",
    &[("id", &STR), ("name", &STR), ("location", &STR), ("sku", &SKU), ("properties", &LB_PROPERTIES)],
);
static LB_PROPERTIES: Shape = Shape::Struct(
    "LoadBalancerProperties",
    &[
        ("frontendIPConfigurations", &Shape::Seq(&named::FRONTEND)),
        ("backendAddressPools", &Shape::Seq(&named::POOL)),
        ("probes", &Shape::Seq(&named::PROBE)),
        ("loadBalancingRules", &Shape::Seq(&named::RULE)),
    ],
);
static FRONTEND: Shape = Shape::Struct("FrontendProperties", &[("privateIPAddress", &OPT_STR), ("publicIPAddress", &OPT_SUB)]);
static POOL: Shape = Shape::Struct("PoolProperties", &[("loadBalancerBackendAddresses", &Shape::Seq(&named::BACKEND_ADDRESS))]);
static BACKEND_ADDRESS: Shape = Shape::Struct(
    "BackendAddressProperties",
    &[("adminState", &OPT_STR), ("ipAddress", &OPT_STR), ("networkInterfaceIPConfiguration", &OPT_SUB)],
);
static PROBE: Shape = Shape::Struct(
    "ProbeProperties",
    &[
        ("protocol", &STR),
        ("port", &U16),
        ("requestPath", &OPT_STR),
        ("intervalInSeconds", &OPT_U32),
        ("numberOfProbes", &OPT_U32),
        ("probeThreshold", &OPT_U32),
        ("noHealthyBackendsBehavior", &OPT_STR),
    ],
);
static RULE: Shape = Shape::Struct(
    "RuleProperties",
    &[
        ("protocol", &STR),
        ("frontendPort", &U16),
        ("backendPort", &U16),
        ("frontendIPConfiguration", &OPT_SUB),
        ("backendAddressPool", &OPT_SUB),
        ("probe", &OPT_SUB),
    ],
);
static HEALTH_RESULT: Shape = Shape::Struct(
    "HealthResult",
    &[("up", &LENIENT), ("down", &LENIENT), ("loadBalancerBackendAddresses", &Shape::Opt(&Shape::Seq(&BACKEND_HEALTH)))],
);
static BACKEND_HEALTH: Shape = Shape::Struct(
    "BackendHealth",
    &[("ipAddress", &LENIENT), ("networkInterfaceIPConfigurationId", &LENIENT), ("state", &LENIENT), ("reason", &LENIENT)],
);
/// Only `nextLink`: `value` is read by `T`'s own `Deserialize`.
static PAGE_FIELDS: &[(&str, &Shape)] = &[("value", &LENIENT), ("nextLink", &OPT_STR)];
static ID_ONLY: &[(&str, &Shape)] = &[("id", &LENIENT)];

/// `Named<P>` for each `P`: the derive called them all "struct Named".
mod named {
    use super::{Shape, STR};
    pub static FRONTEND: Shape = Shape::Struct("Named", &[("name", &STR), ("id", &STR), ("properties", &super::FRONTEND)]);
    pub static POOL: Shape = Shape::Struct("Named", &[("name", &STR), ("id", &STR), ("properties", &super::POOL)]);
    pub static BACKEND_ADDRESS: Shape = Shape::Struct("Named", &[("name", &STR), ("id", &STR), ("properties", &super::BACKEND_ADDRESS)]);
    pub static PROBE: Shape = Shape::Struct("Named", &[("name", &STR), ("id", &STR), ("properties", &super::PROBE)]);
    pub static RULE: Shape = Shape::Struct("Named", &[("name", &STR), ("id", &STR), ("properties", &super::RULE)]);
}

// ------------------------------------------------------------------ reading

/// A JSON value as far as LB Health reads or writes one: what a [`Shape`] lets through.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    /// A non-negative integer; a lenient field reads a negative one as 0.
    Num(u64),
    Str(String),
    Arr(Vec<Json>),
    /// An object to write, its fields in order.
    Obj(Vec<(&'static str, Json)>),
    /// An object as read: one value per field of its shape, in the shape's order, `Null`
    /// where the field was absent.
    Record(Vec<Json>),
}

/// Parses `text` (the whole of it, as `serde_json::from_str` does) into the tree of `shape`.
pub fn read_json(text: &str, shape: &'static Shape) -> Result<Json, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let v = Read(shape).deserialize(&mut de)?;
    de.end()?;
    Ok(v)
}

/// The one reader: a seed and visitor for any shape.
#[derive(Clone, Copy)]
struct Read(&'static Shape);

impl<'de> DeserializeSeed<'de> for Read {
    type Value = Json;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Json, D::Error> {
        match self.0 {
            Shape::Str => d.deserialize_string(self),
            Shape::U16 => d.deserialize_u16(self),
            Shape::U32 => d.deserialize_u32(self),
            Shape::Opt(_) => d.deserialize_option(self),
            Shape::Seq(_) => d.deserialize_seq(self),
            Shape::Struct(name, _) => d.deserialize_struct(name, &[], self),
            Shape::Lenient => d.deserialize_any(self),
        }
    }
}

impl Read {
    fn max(self) -> Option<u64> {
        match self.0 {
            Shape::U16 => Some(u16::MAX as u64),
            Shape::U32 => Some(u32::MAX as u64),
            _ => None,
        }
    }
}

impl<'de> Visitor<'de> for Read {
    type Value = Json;

    /// The words serde's own visitors use, so error messages read as before.
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self.0 {
            Shape::Str => f.write_str("a string"),
            Shape::U16 => f.write_str("u16"),
            Shape::U32 => f.write_str("u32"),
            Shape::Opt(_) => f.write_str("option"),
            Shape::Seq(_) => f.write_str("a sequence"),
            Shape::Struct(name, _) => {
                f.write_str("struct ")?;
                f.write_str(name)
            }
            Shape::Lenient => f.write_str("a string, number, null or object"),
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Json, E> {
        match self.0 {
            Shape::Str | Shape::Lenient => Ok(Json::Str(v.to_owned())),
            _ => Err(E::invalid_type(Unexpected::Str(v), &self)),
        }
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Json, E> {
        match self.max() {
            Some(max) if v > max => Err(E::invalid_value(Unexpected::Unsigned(v), &self)),
            Some(_) => Ok(Json::Num(v)),
            None if matches!(self.0, Shape::Lenient) => Ok(Json::Num(v)),
            None => Err(E::invalid_type(Unexpected::Unsigned(v), &self)),
        }
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Json, E> {
        match self.max() {
            Some(max) if v < 0 || v as u64 > max => Err(E::invalid_value(Unexpected::Signed(v), &self)),
            Some(_) => Ok(Json::Num(v as u64)),
            None if matches!(self.0, Shape::Lenient) => Ok(Json::Num(v.max(0) as u64)),
            None => Err(E::invalid_type(Unexpected::Signed(v), &self)),
        }
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Json, E> {
        match self.0 {
            Shape::Lenient => Ok(Json::Num(if v.is_finite() && v > 0.0 { v as u64 } else { 0 })),
            _ => Err(E::invalid_type(Unexpected::Float(v), &self)),
        }
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Json, E> {
        match self.0 {
            Shape::Lenient => Ok(Json::Null),
            _ => Err(E::invalid_type(Unexpected::Bool(v), &self)),
        }
    }

    fn visit_unit<E: de::Error>(self) -> Result<Json, E> {
        match self.0 {
            Shape::Opt(_) | Shape::Lenient => Ok(Json::Null),
            _ => Err(E::invalid_type(Unexpected::Unit, &self)),
        }
    }

    fn visit_none<E: de::Error>(self) -> Result<Json, E> {
        match self.0 {
            Shape::Opt(_) | Shape::Lenient => Ok(Json::Null),
            _ => Err(E::invalid_type(Unexpected::Option, &self)),
        }
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Json, D::Error> {
        match self.0 {
            Shape::Opt(inner) => Read(inner).deserialize(d),
            Shape::Lenient => d.deserialize_any(self),
            _ => Err(de::Error::invalid_type(Unexpected::Option, &self)),
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        match self.0 {
            Shape::Seq(inner) => {
                let mut out = Vec::new();
                while let Some(v) = seq.next_element_seed(Read(inner))? {
                    out.push(v);
                }
                Ok(Json::Arr(out))
            }
            // serde reads a struct from an array of its fields, in order.
            Shape::Struct(_, fields) => {
                let mut out = Vec::with_capacity(fields.len());
                for &(_, shape) in fields.iter() {
                    match seq.next_element_seed(Read(shape))? {
                        Some(v) => out.push(v),
                        None => break,
                    }
                }
                out.resize(fields.len(), Json::Null);
                Ok(Json::Record(out))
            }
            Shape::Lenient => {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Json::Null)
            }
            _ => Err(de::Error::invalid_type(Unexpected::Seq, &self)),
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        match self.0 {
            Shape::Struct(_, fields) => {
                let mut out = vec![Json::Null; fields.len()];
                let mut seen = 0u32;
                while let Some(key) = map.next_key_seed(Key(fields))? {
                    match key {
                        Some(i) => {
                            let (name, shape) = fields[i];
                            if seen & (1 << i) != 0 {
                                return Err(de::Error::duplicate_field(name));
                            }
                            seen |= 1 << i;
                            out[i] = map.next_value_seed(Read(shape))?;
                        }
                        None => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(Json::Record(out))
            }
            // `{"id": ...}`: the object shape one spec version gave the NIC id.
            Shape::Lenient => {
                let mut found = Json::Null;
                while let Some(key) = map.next_key_seed(Key(ID_ONLY))? {
                    if key.is_some() {
                        if let v @ Json::Str(_) = map.next_value_seed(Read(&LENIENT))? {
                            found = v;
                        }
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(found)
            }
            _ => Err(de::Error::invalid_type(Unexpected::Map, &self)),
        }
    }
}

/// An object key: the index of the field it names, or `None` for one to skip.
#[derive(Clone, Copy)]
struct Key(&'static [(&'static str, &'static Shape)]);

impl<'de> DeserializeSeed<'de> for Key {
    type Value = Option<usize>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
        d.deserialize_identifier(self)
    }
}

impl<'de> Visitor<'de> for Key {
    type Value = Option<usize>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("field identifier")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<usize>, E> {
        Ok(self.0.iter().position(|(name, _)| *name == v))
    }
}

// ------------------------------------------------------------------ tree to structs

/// Builds a value from the tree its shape read (or wrote). Never fails: the shape
/// already rejected what does not fit, and a missing field is the default.
pub trait FromJson: Sized {
    fn from_json(j: Json) -> Self;
}

/// The tree to write a value as JSON.
pub trait ToJson {
    fn to_json(&self) -> Json;
}

/// A record's fields in its shape's order (all `Null` if it is not one).
struct Fields(std::vec::IntoIter<Json>);

impl Fields {
    fn of(j: Json) -> Fields {
        Fields(match j {
            Json::Record(v) => v.into_iter(),
            _ => Vec::new().into_iter(),
        })
    }
    fn next(&mut self) -> Json {
        self.0.next().unwrap_or(Json::Null)
    }
    fn string(&mut self) -> String {
        string(self.next())
    }
    fn opt_string(&mut self) -> Option<String> {
        opt_string(self.next())
    }
    fn port(&mut self) -> u16 {
        num(&self.next()) as u16
    }
    fn opt_u32(&mut self) -> Option<u32> {
        opt_u32(self.next())
    }
    fn list<T: FromJson>(&mut self) -> Vec<T> {
        list(self.next())
    }
    fn opt<T: FromJson>(&mut self) -> Option<T> {
        opt(self.next())
    }
    fn get<T: FromJson>(&mut self) -> T {
        T::from_json(self.next())
    }
}

/// A string field, or a lenient one: a number reads as its digits, anything else as "".
fn string(j: Json) -> String {
    match j {
        Json::Str(s) => s,
        Json::Num(n) => n.to_string(),
        _ => String::new(),
    }
}

fn opt_string(j: Json) -> Option<String> {
    match j {
        Json::Str(s) => Some(s),
        _ => None,
    }
}

fn num(j: &Json) -> u64 {
    match j {
        Json::Num(n) => *n,
        _ => 0,
    }
}

fn opt_u32(j: Json) -> Option<u32> {
    match j {
        Json::Num(n) => Some(n as u32),
        _ => None,
    }
}

/// ARM's counts are integers, but a null or a stringified number must not fail the panel.
fn lenient_count(j: Json) -> u32 {
    match j {
        Json::Num(n) => n.min(u32::MAX as u64) as u32,
        Json::Str(s) => s.trim().parse().unwrap_or(0),
        _ => 0,
    }
}

fn list<T: FromJson>(j: Json) -> Vec<T> {
    match j {
        Json::Arr(v) => v.into_iter().map(T::from_json).collect(),
        _ => Vec::new(),
    }
}

fn opt<T: FromJson>(j: Json) -> Option<T> {
    match j {
        Json::Null => None,
        j => Some(T::from_json(j)),
    }
}

// Each reads its fields in the order of its shape.

impl FromJson for Subscription {
    fn from_json(j: Json) -> Self {
        let mut f = Fields::of(j);
        Subscription { subscription_id: f.string(), display_name: f.string(), state: f.string(), tenant_id: f.string() }
    }
}

impl FromJson for Sku {
    fn from_json(j: Json) -> Self {
        let mut f = Fields::of(j);
        Sku { name: f.string(), tier: f.string() }
    }
}

impl FromJson for SubResource {
    fn from_json(j: Json) -> Self {
        SubResource { id: Fields::of(j).string() }
    }
}

impl FromJson for LoadBalancer {
    fn from_json(j: Json) -> Self {
        let mut f = Fields::of(j);
        LoadBalancer { id: f.string(), name: f.string(), location: f.string(), sku: f.get(), properties: f.get() }
    }
}

impl FromJson for LoadBalancerProperties {
    fn from_json(j: Json) -> Self {
        let mut f = Fields::of(j);
        LoadBalancerProperties {
            frontend_ip_configurations: f.list(),
            backend_address_pools: f.list(),
            probes: f.list(),
            load_balancing_rules: f.list(),
        }
    }
}

impl<P: FromJson> FromJson for Named<P> {
    fn from_json(j: Json) -> Self {
        let mut f = Fields::of(j);
        Named { name: f.string(), id: f.string(), properties: f.get() }
    }
}

impl FromJson for FrontendProperties {
    fn from_json(j: Json) -> Self {
        let mut f = Fields::of(j);
        FrontendProperties { private_ip_address: f.opt_string(), public_ip_address: f.opt() }
    }
}

impl FromJson for PoolProperties {
    fn from_json(j: Json) -> Self {
        PoolProperties { load_balancer_backend_addresses: Fields::of(j).list() }
    }
}

impl FromJson for BackendAddressProperties {
    fn from_json(j: Json) -> Self {
        let mut f = Fields::of(j);
        BackendAddressProperties { admin_state: f.opt_string(), ip_address: f.opt_string(), network_interface_ip_configuration: f.opt() }
    }
}

impl FromJson for ProbeProperties {
    fn from_json(j: Json) -> Self {
        let mut f = Fields::of(j);
        ProbeProperties {
            protocol: f.string(),
            port: f.port(),
            request_path: f.opt_string(),
            interval_in_seconds: f.opt_u32(),
            number_of_probes: f.opt_u32(),
            probe_threshold: f.opt_u32(),
            no_healthy_backends_behavior: f.opt_string(),
        }
    }
}

impl FromJson for RuleProperties {
    fn from_json(j: Json) -> Self {
        let mut f = Fields::of(j);
        RuleProperties {
            protocol: f.string(),
            frontend_port: f.port(),
            backend_port: f.port(),
            frontend_ip_configuration: f.opt(),
            backend_address_pool: f.opt(),
            probe: f.opt(),
        }
    }
}

impl FromJson for HealthResult {
    fn from_json(j: Json) -> Self {
        let mut f = Fields::of(j);
        HealthResult { up: lenient_count(f.next()), down: lenient_count(f.next()), load_balancer_backend_addresses: f.list() }
    }
}

impl FromJson for BackendHealth {
    fn from_json(j: Json) -> Self {
        let mut f = Fields::of(j);
        BackendHealth { ip_address: f.string(), network_interface_ip_configuration_id: f.string(), state: f.string(), reason: f.string() }
    }
}

macro_rules! deserialize_by_shape {
    ($($t:ty => $shape:expr;)*) => {$(
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                Read(&$shape).deserialize(d).map(<$t>::from_json)
            }
        }
    )*};
}

deserialize_by_shape! {
    Subscription => SUBSCRIPTION;
    Sku => SKU;
    SubResource => SUB;
    LoadBalancer => LOAD_BALANCER;
    LoadBalancerProperties => LB_PROPERTIES;
    Named<FrontendProperties> => named::FRONTEND;
    Named<PoolProperties> => named::POOL;
    Named<BackendAddressProperties> => named::BACKEND_ADDRESS;
    Named<ProbeProperties> => named::PROBE;
    Named<RuleProperties> => named::RULE;
    FrontendProperties => FRONTEND;
    PoolProperties => POOL;
    BackendAddressProperties => BACKEND_ADDRESS;
    ProbeProperties => PROBE;
    RuleProperties => RULE;
    HealthResult => HEALTH_RESULT;
    BackendHealth => BACKEND_HEALTH;
}

/// Generic over any `T`, as the client's listing is: `value` is read by `T` itself.
impl<'de, T: Deserialize<'de>> Deserialize<'de> for Page<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_struct("Page", &[], PageVisitor(std::marker::PhantomData))
    }
}

struct PageVisitor<T>(std::marker::PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for PageVisitor<T> {
    type Value = Page<T>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("struct Page")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Page<T>, A::Error> {
        let value = seq.next_element::<Vec<T>>()?.unwrap_or_default();
        let next_link = seq.next_element_seed(Read(&OPT_STR))?.and_then(opt_string);
        Ok(Page { value, next_link })
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Page<T>, A::Error> {
        let (mut value, mut next_link) = (None, None);
        while let Some(key) = map.next_key_seed(Key(PAGE_FIELDS))? {
            match key {
                Some(0) if value.is_some() => return Err(de::Error::duplicate_field("value")),
                Some(0) => value = Some(map.next_value::<Vec<T>>()?),
                Some(_) if next_link.is_some() => return Err(de::Error::duplicate_field("nextLink")),
                Some(_) => next_link = Some(map.next_value_seed(Read(&OPT_STR))?),
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Page { value: value.unwrap_or_default(), next_link: next_link.and_then(opt_string) })
    }
}

// ------------------------------------------------------------------ writing

impl Json {
    /// Compact JSON, byte for byte what `serde_json::to_string` writes for the same value.
    pub fn write(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Num(n) => out.push_str(&n.to_string()),
            Json::Str(s) => write_str(out, s),
            // A record has no names: written as the array serde would also read it from.
            Json::Arr(items) | Json::Record(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    v.write(out);
                }
                out.push(']');
            }
            Json::Obj(fields) => {
                out.push('{');
                for (i, (k, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_str(out, k);
                    out.push(':');
                    v.write(out);
                }
                out.push('}');
            }
        }
    }

    pub fn to_text(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    pub fn str(s: &str) -> Json {
        Json::Str(s.to_owned())
    }
}

fn write_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c < ' ' => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(HEX[(c as usize) >> 4] as char);
                out.push(HEX[(c as usize) & 15] as char);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// An object's fields; `None` leaves the field out, as `skip_serializing_if` did.
/// A slice rather than an array: one copy of this code for every object size.
fn obj(fields: &mut [(&'static str, Option<Json>)]) -> Json {
    Json::Obj(fields.iter_mut().filter_map(|(k, v)| Some((*k, v.take()?))).collect())
}

fn some_str(s: &str) -> Option<Json> {
    Some(Json::str(s))
}

fn opt_str(s: &Option<String>) -> Option<Json> {
    s.as_deref().map(Json::str)
}

fn opt_json<T: ToJson>(v: &Option<T>) -> Option<Json> {
    v.as_ref().map(ToJson::to_json)
}

fn num_of(n: impl Into<u64>) -> Option<Json> {
    Some(Json::Num(n.into()))
}

fn list_of<T: ToJson>(items: &[T]) -> Option<Json> {
    Some(Json::Arr(items.iter().map(ToJson::to_json).collect()))
}

impl<T: ToJson> ToJson for Page<T> {
    fn to_json(&self) -> Json {
        obj(&mut [("value", list_of(&self.value)), ("nextLink", opt_str(&self.next_link))])
    }
}

impl ToJson for Subscription {
    fn to_json(&self) -> Json {
        obj(&mut [
            ("subscriptionId", some_str(&self.subscription_id)),
            ("displayName", some_str(&self.display_name)),
            ("state", some_str(&self.state)),
            ("tenantId", some_str(&self.tenant_id)),
        ])
    }
}

impl ToJson for Sku {
    fn to_json(&self) -> Json {
        obj(&mut [("name", some_str(&self.name)), ("tier", some_str(&self.tier))])
    }
}

impl ToJson for SubResource {
    fn to_json(&self) -> Json {
        obj(&mut [("id", some_str(&self.id))])
    }
}

impl ToJson for LoadBalancer {
    fn to_json(&self) -> Json {
        obj(&mut [
            ("id", some_str(&self.id)),
            ("name", some_str(&self.name)),
            ("location", some_str(&self.location)),
            ("sku", Some(self.sku.to_json())),
            ("properties", Some(self.properties.to_json())),
        ])
    }
}

impl ToJson for LoadBalancerProperties {
    fn to_json(&self) -> Json {
        obj(&mut [
            ("frontendIPConfigurations", list_of(&self.frontend_ip_configurations)),
            ("backendAddressPools", list_of(&self.backend_address_pools)),
            ("probes", list_of(&self.probes)),
            ("loadBalancingRules", list_of(&self.load_balancing_rules)),
        ])
    }
}

impl<P: ToJson> ToJson for Named<P> {
    fn to_json(&self) -> Json {
        obj(&mut [("name", some_str(&self.name)), ("id", some_str(&self.id)), ("properties", Some(self.properties.to_json()))])
    }
}

impl ToJson for FrontendProperties {
    fn to_json(&self) -> Json {
        obj(&mut [("privateIPAddress", opt_str(&self.private_ip_address)), ("publicIPAddress", opt_json(&self.public_ip_address))])
    }
}

impl ToJson for PoolProperties {
    fn to_json(&self) -> Json {
        obj(&mut [("loadBalancerBackendAddresses", list_of(&self.load_balancer_backend_addresses))])
    }
}

impl ToJson for BackendAddressProperties {
    fn to_json(&self) -> Json {
        obj(&mut [
            ("adminState", opt_str(&self.admin_state)),
            ("ipAddress", opt_str(&self.ip_address)),
            ("networkInterfaceIPConfiguration", opt_json(&self.network_interface_ip_configuration)),
        ])
    }
}

impl ToJson for ProbeProperties {
    fn to_json(&self) -> Json {
        obj(&mut [
            ("protocol", some_str(&self.protocol)),
            ("port", num_of(self.port)),
            ("requestPath", opt_str(&self.request_path)),
            ("intervalInSeconds", self.interval_in_seconds.and_then(num_of)),
            ("numberOfProbes", self.number_of_probes.and_then(num_of)),
            ("probeThreshold", self.probe_threshold.and_then(num_of)),
            ("noHealthyBackendsBehavior", opt_str(&self.no_healthy_backends_behavior)),
        ])
    }
}

impl ToJson for RuleProperties {
    fn to_json(&self) -> Json {
        obj(&mut [
            ("protocol", some_str(&self.protocol)),
            ("frontendPort", num_of(self.frontend_port)),
            ("backendPort", num_of(self.backend_port)),
            ("frontendIPConfiguration", opt_json(&self.frontend_ip_configuration)),
            ("backendAddressPool", opt_json(&self.backend_address_pool)),
            ("probe", opt_json(&self.probe)),
        ])
    }
}

impl ToJson for HealthResult {
    fn to_json(&self) -> Json {
        obj(&mut [
            ("up", num_of(self.up)),
            ("down", num_of(self.down)),
            ("loadBalancerBackendAddresses", list_of(&self.load_balancer_backend_addresses)),
        ])
    }
}

impl ToJson for BackendHealth {
    fn to_json(&self) -> Json {
        obj(&mut [
            ("ipAddress", some_str(&self.ip_address)),
            ("networkInterfaceIPConfigurationId", some_str(&self.network_interface_ip_configuration_id)),
            ("state", some_str(&self.state)),
            ("reason", some_str(&self.reason)),
        ])
    }
}

impl Serialize for Json {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Json::Null => s.serialize_unit(),
            Json::Num(n) => s.serialize_u64(*n),
            Json::Str(v) => s.serialize_str(v),
            Json::Arr(items) | Json::Record(items) => s.collect_seq(items),
            Json::Obj(fields) => s.collect_map(fields.iter().map(|(k, v)| (k, v))),
        }
    }
}

/// `Serialize` (for the test server) writes the same tree as the demo does.
macro_rules! serialize_as_json {
    ($([$($g:tt)*] $t:ty;)*) => {$(
        impl<$($g)*> Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                self.to_json().serialize(s)
            }
        }
    )*};
}

serialize_as_json! {
    [T: ToJson] Page<T>;
    [] Subscription;
    [] Sku;
    [] SubResource;
    [] LoadBalancer;
    [] LoadBalancerProperties;
    [P: ToJson] Named<P>;
    [] FrontendProperties;
    [] PoolProperties;
    [] BackendAddressProperties;
    [] ProbeProperties;
    [] RuleProperties;
    [] HealthResult;
    [] BackendHealth;
}

/// One entry of `GET /tenants`: the directories the signed-in user can switch to.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Tenant {
    #[serde(default)]
    pub tenant_id: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub default_domain: String,
}

/// Azure Resource Graph's answer (`resultFormat: objectArray`, its default).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct GraphAnswer {
    #[serde(default)]
    pub total_records: u64,
    #[serde(default)]
    pub data: Vec<GraphLoadBalancer>,
}

/// One load balancer found by Resource Graph, from any subscription the user can read.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct GraphLoadBalancer {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub resource_group: String,
    #[serde(default)]
    pub subscription_id: String,
    #[serde(default)]
    pub location: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIXED: &str = include_str!("../../tests/fixtures/health-result-mixed.json");
    const LB: &str = include_str!("../../tests/fixtures/loadbalancer.json");

    #[test]
    fn mixed_health_result_keeps_every_row() {
        let r: HealthResult = serde_json::from_str(MIXED).unwrap();
        assert_eq!(r.load_balancer_backend_addresses.len(), 6);
        assert_eq!(r.load_balancer_backend_addresses[4].state, "");
        assert_eq!(r.load_balancer_backend_addresses[5].reason, "Up_Probe_SomeFutureCode");
    }

    #[test]
    fn nic_id_given_as_object_is_read() {
        let r: HealthResult = serde_json::from_str(
            r#"{"loadBalancerBackendAddresses":[{"networkInterfaceIPConfigurationId":{"id":"/x/ipConfigurations/a"},"state":null}]}"#,
        )
        .unwrap();
        assert_eq!(r.load_balancer_backend_addresses[0].network_interface_ip_configuration_id, "/x/ipConfigurations/a");
        assert_eq!(r.load_balancer_backend_addresses[0].state, "");
        assert_eq!(r.up, 0);
    }

    #[test]
    fn subscriptions_match_by_name_or_id() {
        let s = Subscription { subscription_id: "0b1f6471-1bf0".into(), display_name: "Contoso Production".into(), ..Default::default() };
        assert!(s.matches("prod"));
        assert!(s.matches(" 0B1F "));
        assert!(s.matches(""));
        assert!(!s.matches("staging"));
    }

    #[test]
    fn null_backend_list_is_empty() {
        let r: HealthResult = serde_json::from_str(r#"{"up":null,"down":"2","loadBalancerBackendAddresses":null}"#).unwrap();
        assert!(r.load_balancer_backend_addresses.is_empty());
        assert_eq!(r.down, 2);
    }

    #[test]
    fn load_balancer_description_parses() {
        let lb: LoadBalancer = serde_json::from_str(LB).unwrap();
        assert_eq!(lb.properties.load_balancing_rules.len(), 2);
        assert_eq!(lb.properties.probes[0].properties.request_path.as_deref(), Some("/healthz"));
        assert!(lb.properties.load_balancing_rules[1].properties.probe.is_none());
    }

    #[test]
    fn written_json_reads_back_the_same() {
        let lb: LoadBalancer = serde_json::from_str(LB).unwrap();
        assert_eq!(serde_json::from_str::<LoadBalancer>(&lb.to_json().to_text()).unwrap(), lb);
        let h: HealthResult = serde_json::from_str(MIXED).unwrap();
        assert_eq!(serde_json::from_str::<HealthResult>(&h.to_json().to_text()).unwrap(), h);
        let odd = Json::str("q\"b\\s/\n\r\t\u{8}\u{c}\u{1}\u{1f}\u{7f}é😀");
        assert_eq!(odd.to_text(), serde_json::to_string(&odd).unwrap());
        assert_eq!(serde_json::from_str::<String>(&odd.to_text()).unwrap(), "q\"b\\s/\n\r\t\u{8}\u{c}\u{1}\u{1f}\u{7f}é😀");
    }

    /// The derived types this module replaced, kept as the oracle: the shapes must accept,
    /// reject and word errors exactly as `#[derive(Deserialize)]` did, and write what
    /// `#[derive(Serialize)]` wrote.
    mod derived {
        use serde::{Deserialize, Deserializer, Serialize};

        #[derive(Debug, Deserialize, Serialize)]
        pub struct Page<T> {
            #[serde(default = "Vec::new")]
            pub value: Vec<T>,
            #[serde(rename = "nextLink", default, skip_serializing_if = "Option::is_none")]
            pub next_link: Option<String>,
        }
        #[derive(Debug, Deserialize, Serialize)]
        #[serde(rename_all = "camelCase")]
        pub struct Subscription {
            #[serde(default)]
            pub subscription_id: String,
            #[serde(default)]
            pub display_name: String,
            #[serde(default)]
            pub state: String,
            #[serde(default)]
            pub tenant_id: String,
        }
        #[derive(Debug, Default, Deserialize, Serialize)]
        pub struct Sku {
            #[serde(default)]
            pub name: String,
            #[serde(default)]
            pub tier: String,
        }
        #[derive(Debug, Deserialize, Serialize)]
        pub struct SubResource {
            #[serde(default)]
            pub id: String,
        }
        #[derive(Debug, Deserialize, Serialize)]
        pub struct LoadBalancer {
            #[serde(default)]
            pub id: String,
            #[serde(default)]
            pub name: String,
            #[serde(default)]
            pub location: String,
            #[serde(default)]
            pub sku: Sku,
            #[serde(default)]
            pub properties: LoadBalancerProperties,
        }
        #[derive(Debug, Default, Deserialize, Serialize)]
        #[serde(rename_all = "camelCase")]
        pub struct LoadBalancerProperties {
            #[serde(rename = "frontendIPConfigurations", default)]
            pub frontend_ip_configurations: Vec<Named<FrontendProperties>>,
            #[serde(default)]
            pub backend_address_pools: Vec<Named<PoolProperties>>,
            #[serde(default)]
            pub probes: Vec<Named<ProbeProperties>>,
            #[serde(default)]
            pub load_balancing_rules: Vec<Named<RuleProperties>>,
        }
        #[derive(Debug, Deserialize, Serialize)]
        pub struct Named<P> {
            #[serde(default)]
            pub name: String,
            #[serde(default)]
            pub id: String,
            #[serde(default)]
            pub properties: P,
        }
        #[derive(Debug, Default, Deserialize, Serialize)]
        #[serde(rename_all = "camelCase")]
        pub struct FrontendProperties {
            #[serde(rename = "privateIPAddress", default, skip_serializing_if = "Option::is_none")]
            pub private_ip_address: Option<String>,
            #[serde(rename = "publicIPAddress", default, skip_serializing_if = "Option::is_none")]
            pub public_ip_address: Option<SubResource>,
        }
        #[derive(Debug, Default, Deserialize, Serialize)]
        #[serde(rename_all = "camelCase")]
        pub struct PoolProperties {
            #[serde(default)]
            pub load_balancer_backend_addresses: Vec<Named<BackendAddressProperties>>,
        }
        #[derive(Debug, Default, Deserialize, Serialize)]
        #[serde(rename_all = "camelCase")]
        pub struct BackendAddressProperties {
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub admin_state: Option<String>,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub ip_address: Option<String>,
            #[serde(rename = "networkInterfaceIPConfiguration", default, skip_serializing_if = "Option::is_none")]
            pub network_interface_ip_configuration: Option<SubResource>,
        }
        #[derive(Debug, Default, Deserialize, Serialize)]
        #[serde(rename_all = "camelCase")]
        pub struct ProbeProperties {
            #[serde(default)]
            pub protocol: String,
            #[serde(default)]
            pub port: u16,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub request_path: Option<String>,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub interval_in_seconds: Option<u32>,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub number_of_probes: Option<u32>,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub probe_threshold: Option<u32>,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub no_healthy_backends_behavior: Option<String>,
        }
        #[derive(Debug, Default, Deserialize, Serialize)]
        #[serde(rename_all = "camelCase")]
        pub struct RuleProperties {
            #[serde(default)]
            pub protocol: String,
            #[serde(default)]
            pub frontend_port: u16,
            #[serde(default)]
            pub backend_port: u16,
            #[serde(rename = "frontendIPConfiguration", default, skip_serializing_if = "Option::is_none")]
            pub frontend_ip_configuration: Option<SubResource>,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub backend_address_pool: Option<SubResource>,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub probe: Option<SubResource>,
        }
        #[derive(Debug, Deserialize, Serialize)]
        #[serde(rename_all = "camelCase")]
        pub struct HealthResult {
            #[serde(default, deserialize_with = "lenient_count")]
            pub up: u32,
            #[serde(default, deserialize_with = "lenient_count")]
            pub down: u32,
            #[serde(default, deserialize_with = "null_as_default")]
            pub load_balancer_backend_addresses: Vec<BackendHealth>,
        }
        #[derive(Debug, Deserialize, Serialize)]
        #[serde(rename_all = "camelCase")]
        pub struct BackendHealth {
            #[serde(default, deserialize_with = "lenient_string")]
            pub ip_address: String,
            #[serde(rename = "networkInterfaceIPConfigurationId", default, deserialize_with = "lenient_string")]
            pub network_interface_ip_configuration_id: String,
            #[serde(default, deserialize_with = "lenient_string")]
            pub state: String,
            #[serde(default, deserialize_with = "lenient_string")]
            pub reason: String,
        }

        fn null_as_default<'de, D: Deserializer<'de>, T: Default + Deserialize<'de>>(d: D) -> Result<T, D::Error> {
            Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
        }
        fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
            d.deserialize_any(Lenient).map(|v| match v {
                Loose::Text(s) => s,
                Loose::Number(n) => n.to_string(),
                Loose::Empty => String::new(),
            })
        }
        fn lenient_count<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
            d.deserialize_any(Lenient).map(|v| match v {
                Loose::Number(n) => n.min(u32::MAX as u64) as u32,
                Loose::Text(s) => s.trim().parse().unwrap_or(0),
                Loose::Empty => 0,
            })
        }
        enum Loose {
            Text(String),
            Number(u64),
            Empty,
        }
        struct Lenient;
        impl<'de> serde::de::Visitor<'de> for Lenient {
            type Value = Loose;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string, number, null or object")
            }
            fn visit_str<E>(self, v: &str) -> Result<Loose, E> {
                Ok(Loose::Text(v.to_owned()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Loose, E> {
                Ok(Loose::Number(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Loose, E> {
                Ok(Loose::Number(v.max(0) as u64))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Loose, E> {
                Ok(Loose::Number(if v.is_finite() && v > 0.0 { v as u64 } else { 0 }))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Loose, E> {
                Ok(Loose::Empty)
            }
            fn visit_unit<E>(self) -> Result<Loose, E> {
                Ok(Loose::Empty)
            }
            fn visit_none<E>(self) -> Result<Loose, E> {
                Ok(Loose::Empty)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Loose, D::Error> {
                d.deserialize_any(Lenient)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Loose, A::Error> {
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(Loose::Empty)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Loose, A::Error> {
                let mut found = Loose::Empty;
                while let Some(key) = map.next_key::<String>()? {
                    if key == "id" {
                        if let Loose::Text(s) = map.next_value_seed(LenientSeed)? {
                            found = Loose::Text(s);
                        }
                    } else {
                        map.next_value::<serde::de::IgnoredAny>()?;
                    }
                }
                Ok(found)
            }
        }
        struct LenientSeed;
        impl<'de> serde::de::DeserializeSeed<'de> for LenientSeed {
            type Value = Loose;
            fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Loose, D::Error> {
                d.deserialize_any(Lenient)
            }
        }
    }

    /// Same outcome from the shapes and from the derive: equal values (compared through
    /// what each writes) or the very same error message.
    fn same<New, Old>(text: &str) -> Result<(), String>
    where
        New: for<'de> Deserialize<'de> + Serialize,
        Old: for<'de> Deserialize<'de> + Serialize,
    {
        let new = serde_json::from_str::<New>(text).map(|v| serde_json::to_string(&v).unwrap()).map_err(|e| e.to_string());
        let old = serde_json::from_str::<Old>(text).map(|v| serde_json::to_string(&v).unwrap()).map_err(|e| e.to_string());
        if new == old {
            Ok(())
        } else {
            Err(format!("{text}\n  shapes: {new:?}\n  derive: {old:?}"))
        }
    }

    fn all_same(text: &str) -> Result<(), String> {
        same::<HealthResult, derived::HealthResult>(text)?;
        same::<LoadBalancer, derived::LoadBalancer>(text)?;
        same::<Page<Subscription>, derived::Page<derived::Subscription>>(text)?;
        same::<Page<LoadBalancer>, derived::Page<derived::LoadBalancer>>(text)?;
        same::<ProbeProperties, derived::ProbeProperties>(text)?;
        same::<RuleProperties, derived::RuleProperties>(text)?;
        same::<BackendAddressProperties, derived::BackendAddressProperties>(text)?;
        same::<FrontendProperties, derived::FrontendProperties>(text)?;
        same::<Named<PoolProperties>, derived::Named<derived::PoolProperties>>(text)?;
        same::<BackendHealth, derived::BackendHealth>(text)
    }

    #[test]
    fn shapes_match_the_derive_on_fixtures_and_odd_input() {
        let fixtures = [
            MIXED,
            LB,
            include_str!("../../tests/fixtures/health-result.json"),
            include_str!("../../tests/fixtures/loadbalancers-page1.json"),
            include_str!("../../tests/fixtures/subscriptions.json"),
            include_str!("../../tests/fixtures/error-404-notfound.json"),
        ];
        let odd = [
            "", " ", "null", "[]", "{}", "{} x", "[1,2", "5", "\"x\"", "true", "-1", "1.5", "1e400",
            r#"{"up":1,"up":2}"#,
            r#"{"name":"a","name":"b"}"#,
            r#"{"value":[],"value":[]}"#,
            r#"{"nextLink":"a","nextLink":null}"#,
            r#"{"id":"a","properties":{"probes":[{"properties":{"port":70000}}]}}"#,
            r#"{"properties":{"probes":[{"properties":{"port":-1}}]}}"#,
            r#"{"properties":{"probes":[{"properties":{"port":1.5,"protocol":null}}]}}"#,
            r#"{"properties":{"probes":[{"properties":{"intervalInSeconds":4294967296}}]}}"#,
            r#"{"properties":{"probes":[{"properties":{"intervalInSeconds":"5"}}]}}"#,
            r#"{"properties":{"probes":[{"properties":{"requestPath":5}}]}}"#,
            r#"{"properties":{"loadBalancingRules":[{"properties":{"probe":null,"backendAddressPool":{"id":7}}}]}}"#,
            r#"{"properties":{"loadBalancingRules":[{"properties":{"probe":["x"]}}]}}"#,
            r#"{"properties":{"loadBalancingRules":[["r","i",{"protocol":"Tcp"}]]}}"#,
            r#"["id","name","loc",["Basic"],{}]"#,
            r#"["id","name","loc",["Basic"],{},"extra"]"#,
            r#"[[],null]"#,
            r#"[[{"subscriptionId":"s"}],"next",3]"#,
            r#"{"sku":null}"#,
            r#"{"sku":{"name":true}}"#,
            r#"{"sku":{"name":"a","name":"a"}}"#,
            r#"{"properties":{"frontendIPConfigurations":null}}"#,
            r#"{"properties":{"frontendIPConfigurations":{}}}"#,
            r#"{"properties":{"frontendIPConfigurations":[{"properties":{"publicIPAddress":{"id":"p","id":"q"}}}]}}"#,
            r#"{"properties":{"backendAddressPools":[{"properties":{"loadBalancerBackendAddresses":[{"properties":{"adminState":null,"networkInterfaceIPConfiguration":5}}]}}]}}"#,
            r#"{"up":"7","down":-3,"loadBalancerBackendAddresses":[{"ipAddress":1.9,"state":[1,[2]],"reason":{"id":{"id":"deep"},"x":1},"networkInterfaceIPConfigurationId":{"id":5}}]}"#,
            r#"{"up":1e3,"down":true,"loadBalancerBackendAddresses":{}}"#,
            r#"{"loadBalancerBackendAddresses":[5]}"#,
            r#"{"loadBalancerBackendAddresses":[{"state":"Up","state":"Down"}]}"#,
            r#"{"loadBalancerBackendAddresses":[{"reason":{"id":"a","id":"b","id":3}}]}"#,
            r#"{"value":null}"#,
            r#"{"value":[{"subscriptionId":null}]}"#,
            r#"{"value":[{"displayName":"é\u00e9\"\\"}],"nextLink":""}"#,
            r#"{"unknown":[[[[[[[[{"deep":[1,2,{"a":null}]}]]]]]]]],"id":"x"}"#,
            r#"{"id":"x" , "name" : "y" }  "#,
            r#"{"id":"x",}"#,
        ];
        let failures: Vec<String> = fixtures.iter().chain(odd.iter()).filter_map(|t| all_same(t).err()).collect();
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    /// Any JSON built from the model's own keys, so types and shapes mismatch in every way.
    #[test]
    fn shapes_match_the_derive_on_generated_json() {
        use proptest::prelude::*;
        use serde_json::Value;
        const KEYS: &[&str] = &[
            "value", "nextLink", "subscriptionId", "displayName", "id", "name", "location", "sku", "tier", "properties",
            "frontendIPConfigurations", "backendAddressPools", "probes", "loadBalancingRules", "privateIPAddress",
            "publicIPAddress", "loadBalancerBackendAddresses", "adminState", "ipAddress", "networkInterfaceIPConfiguration",
            "protocol", "port", "requestPath", "intervalInSeconds", "frontendPort", "backendPort", "probe", "up", "down",
            "networkInterfaceIPConfigurationId", "state", "reason", "other",
        ];
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<u16>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            (-1e6f64..1e6).prop_map(Value::from),
            "[a-z0-9\"\\\\/ é]{0,6}".prop_map(Value::String),
        ];
        let value = leaf.prop_recursive(5, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec((prop::sample::select(KEYS), inner), 0..6)
                    .prop_map(|kv| Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
            ]
        });
        let mut runner = proptest::test_runner::TestRunner::new(proptest::test_runner::Config {
            cases: 3000,
            failure_persistence: None,
            ..Default::default()
        });
        runner
            .run(&value, |v| {
                all_same(&v.to_string()).map_err(proptest::test_runner::TestCaseError::fail)
            })
            .unwrap();
    }
}
