//! The catalog of plans (their monthly allowance of build credits) and of
//! the packs of usage credits on sale.

use crate::error::{AppError, AppResult};
use rork_cloud_credits_core::wire::{BuildPack, BuildPlan};
use rust_decimal::Decimal;

/// Where an owner changes plan.
pub const UPGRADE_URL: &str = "https://rork.com/pricing";

/// A plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// Plan name as accounts store it.
    pub name: &'static str,
    /// Subscription credits granted each plan period.
    pub monthly_credits: i64,
    /// Monthly price in cents.
    pub price_cents: i64,
}

/// Every plan.
pub const PLANS: [Plan; 3] = [
    Plan {
        name: "Free",
        monthly_credits: 50,
        price_cents: 0,
    },
    Plan {
        name: "Pro",
        monthly_credits: 500,
        price_cents: 2_500,
    },
    Plan {
        name: "Max",
        monthly_credits: 2_000,
        price_cents: 10_000,
    },
];

/// A pack of usage credits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pack {
    /// Pack id.
    pub id: &'static str,
    /// Usage credits it adds.
    pub credits: i64,
    /// Price in cents.
    pub price_cents: i64,
}

/// Every pack on sale.
pub const PACKS: [Pack; 3] = [
    Pack {
        id: "credits_50",
        credits: 50,
        price_cents: 1_000,
    },
    Pack {
        id: "credits_200",
        credits: 200,
        price_cents: 3_500,
    },
    Pack {
        id: "credits_500",
        credits: 500,
        price_cents: 8_000,
    },
];

/// The plan named `name`; `invalid_input` naming the plans otherwise.
pub fn plan(name: &str) -> AppResult<Plan> {
    PLANS
        .into_iter()
        .find(|plan| plan.name == name)
        .ok_or_else(|| {
            let names: Vec<&str> = PLANS.iter().map(|plan| plan.name).collect();
            AppError::invalid(format!(
                "plan must be one of {}, got {name:?}",
                names.join(", ")
            ))
        })
}

/// The pack `id`; `invalid_input` naming the packs otherwise.
pub fn pack(id: &str) -> AppResult<Pack> {
    PACKS.into_iter().find(|pack| pack.id == id).ok_or_else(|| {
        let ids: Vec<&str> = PACKS.iter().map(|pack| pack.id).collect();
        AppError::invalid(format!(
            "pack must be one of {}, got {id:?}",
            ids.join(", ")
        ))
    })
}

impl Plan {
    /// As the API shows it.
    pub fn to_wire(self) -> BuildPlan {
        BuildPlan {
            name: self.name.into(),
            monthly_credits: whole(self.monthly_credits),
            price_usd: Decimal::new(self.price_cents, 2),
        }
    }
}

impl Pack {
    /// As the API shows it.
    pub fn to_wire(self) -> BuildPack {
        BuildPack {
            id: self.id.into(),
            credits: whole(self.credits),
            price_usd: Decimal::new(self.price_cents, 2),
        }
    }
}

/// A stored credit count (never negative: every debit is checked) as the wire's `u64`.
pub fn whole(credits: i64) -> u64 {
    u64::try_from(credits).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_plans_and_packs_and_names_the_choices() {
        assert_eq!(plan("Pro").unwrap().monthly_credits, 500);
        assert_eq!(
            pack("credits_200").unwrap().to_wire().price_usd.to_string(),
            "35.00"
        );
        let error = pack("credits_7").unwrap_err();
        assert!(
            error
                .to_string()
                .contains("credits_50, credits_200, credits_500"),
            "{error}"
        );
        assert!(plan("Gold").is_err());
    }
}
