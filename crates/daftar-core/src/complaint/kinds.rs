//! The kinds of complaint and where each goes, read from `complaints/kinds.toml`.

use serde::Deserialize;

use crate::roles::Role;
use crate::text::Text;

/// Where a kind's cases go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// The unit owning the service complained of.
    ServiceOwner,
    Unit(Role),
}

impl Route {
    /// The unit a submission goes to, given the owner of the service it concerns.
    pub fn unit(self, service_owner: Option<Role>) -> Option<Role> {
        match self {
            Route::ServiceOwner => service_owner,
            Route::Unit(role) => Some(role),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ComplaintKind {
    pub code: String,
    /// The catalog service whose case it becomes.
    pub service: String,
    pub route: Route,
    pub sign_in: bool,
    pub names_staff: bool,
    pub needs_service: bool,
    pub open311: bool,
    pub name: Text,
    pub description: Text,
}

/// Every kind, in the file's order.
#[derive(Debug, Clone, PartialEq)]
pub struct ComplaintKinds {
    kinds: Vec<ComplaintKind>,
}

/// Why the kinds file does not load.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KindsError {
    #[error("the kinds file is not valid TOML of complaint kinds: {0}")]
    Toml(String),
    #[error("kind {0:?}: the code must be 1–32 of a-z, 0-9 and _, and used once")]
    Code(String),
    #[error("kind {0:?}: unknown route {1:?} (service_owner, or a unit's role)")]
    Route(String, String),
    #[error("kind {0:?}: a kind routed to a service's owner must need the service")]
    OwnerWithoutService(String),
    #[error("there must be at least one kind")]
    Empty,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKinds {
    kind: Vec<RawKind>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKind {
    code: String,
    service: String,
    route: String,
    sign_in: bool,
    names_staff: bool,
    needs_service: bool,
    open311: bool,
    name: Text,
    description: Text,
}

impl ComplaintKinds {
    pub fn parse(text: &str) -> Result<ComplaintKinds, KindsError> {
        let raw: RawKinds = toml::from_str(text).map_err(|e| KindsError::Toml(e.to_string()))?;
        if raw.kind.is_empty() {
            return Err(KindsError::Empty);
        }
        let mut kinds: Vec<ComplaintKind> = Vec::with_capacity(raw.kind.len());
        for kind in raw.kind {
            let well_formed = (1..=32).contains(&kind.code.len())
                && kind
                    .code
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !well_formed || kinds.iter().any(|k| k.code == kind.code) {
                return Err(KindsError::Code(kind.code));
            }
            let route = match kind.route.as_str() {
                "service_owner" => Route::ServiceOwner,
                slug => Role::from_slug(slug)
                    .map(Route::Unit)
                    .ok_or_else(|| KindsError::Route(kind.code.clone(), kind.route.clone()))?,
            };
            if route == Route::ServiceOwner && !kind.needs_service {
                return Err(KindsError::OwnerWithoutService(kind.code));
            }
            kinds.push(ComplaintKind {
                code: kind.code,
                service: kind.service,
                route,
                sign_in: kind.sign_in,
                names_staff: kind.names_staff,
                needs_service: kind.needs_service,
                open311: kind.open311,
                name: kind.name,
                description: kind.description,
            });
        }
        Ok(ComplaintKinds { kinds })
    }

    /// The kinds Daftar ships: `complaints/kinds.toml`.
    pub fn built_in() -> ComplaintKinds {
        ComplaintKinds::parse(include_str!("../../../../complaints/kinds.toml"))
            .expect("complaints/kinds.toml is checked by a test")
    }

    pub fn all(&self) -> &[ComplaintKind] {
        &self.kinds
    }

    pub fn get(&self, code: &str) -> Option<&ComplaintKind> {
        self.kinds.iter().find(|kind| kind.code == code)
    }

    /// The kinds Open311 clients may list and post.
    pub fn open311(&self) -> impl Iterator<Item = &ComplaintKind> {
        self.kinds.iter().filter(|kind| kind.open311)
    }

    /// The catalog services complaints become cases of.
    pub fn services(&self) -> Vec<&str> {
        let mut services: Vec<&str> = self.kinds.iter().map(|k| k.service.as_str()).collect();
        services.sort_unstable();
        services.dedup();
        services
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_kinds_route_staff_to_internal_inspection_and_ideas_to_the_head() {
        let kinds = ComplaintKinds::built_in();
        let route = |code: &str| kinds.get(code).unwrap().route;
        assert_eq!(route("service_complaint"), Route::ServiceOwner);
        assert_eq!(
            route("staff_complaint"),
            Route::Unit(Role::InternalInspection)
        );
        assert_eq!(route("dispute"), Route::Unit(Role::InternalInspection));
        assert_eq!(route("criticism"), Route::Unit(Role::OfficeHead));
        assert_eq!(route("suggestion"), Route::Unit(Role::OfficeHead));
        assert!(kinds.get("staff_complaint").unwrap().names_staff);
        let public: Vec<&str> = kinds.open311().map(|k| k.code.as_str()).collect();
        assert_eq!(public, ["service_complaint", "criticism", "suggestion"]);
    }

    #[test]
    fn a_kinds_file_with_a_bad_route_or_a_repeated_code_does_not_load() {
        let base = include_str!("../../../../complaints/kinds.toml");
        let bad_route = base.replace("route = \"office_head\"", "route = \"mayor\"");
        assert!(matches!(
            ComplaintKinds::parse(&bad_route),
            Err(KindsError::Route(_, route)) if route == "mayor"
        ));
        let twice = base.replace("code = \"dispute\"", "code = \"staff_complaint\"");
        assert_eq!(
            ComplaintKinds::parse(&twice),
            Err(KindsError::Code("staff_complaint".into()))
        );
        let orphan = base.replace(
            "route = \"service_owner\"\nsign_in = true\nnames_staff = false\nneeds_service = true",
            "route = \"service_owner\"\nsign_in = true\nnames_staff = false\nneeds_service = false",
        );
        assert_eq!(
            ComplaintKinds::parse(&orphan),
            Err(KindsError::OwnerWithoutService("service_complaint".into()))
        );
    }

    #[test]
    fn a_service_complaint_goes_to_the_owner_of_the_service_it_names() {
        assert_eq!(
            Route::ServiceOwner.unit(Some(Role::VehicleTolls)),
            Some(Role::VehicleTolls)
        );
        assert_eq!(Route::ServiceOwner.unit(None), None);
        assert_eq!(
            Route::Unit(Role::OfficeHead).unit(Some(Role::VehicleTolls)),
            Some(Role::OfficeHead)
        );
    }
}
