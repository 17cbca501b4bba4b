//! [`Dec`]: an exact decimal stored as TEXT on both SQLite and PostgreSQL.

use rust_decimal::Decimal;
use sqlx::any::{Any, AnyTypeInfo, AnyValueRef};
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::{Decode, Encode, Type};
use std::str::FromStr;

/// A money (or credit) amount as the database holds it: the decimal's
/// canonical string, so what is read back is exactly what was written,
/// on either database. Arithmetic happens on the inner [`Decimal`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Dec(pub Decimal);

impl Type<Any> for Dec {
    fn type_info() -> AnyTypeInfo {
        <String as Type<Any>>::type_info()
    }

    fn compatible(ty: &AnyTypeInfo) -> bool {
        <String as Type<Any>>::compatible(ty)
    }
}

impl<'q> Encode<'q, Any> for Dec {
    fn encode_by_ref(
        &self,
        buf: &mut <Any as sqlx::Database>::ArgumentBuffer<'q>,
    ) -> Result<IsNull, BoxDynError> {
        <String as Encode<'q, Any>>::encode(self.0.to_string(), buf)
    }
}

impl<'r> Decode<'r, Any> for Dec {
    fn decode(value: AnyValueRef<'r>) -> Result<Self, BoxDynError> {
        let text = <String as Decode<'r, Any>>::decode(value)?;
        Ok(Dec(Decimal::from_str(&text)?))
    }
}
