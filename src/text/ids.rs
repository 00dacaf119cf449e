//! PRC resident ID numbers (GB 11643-1999): the check digit, and what the
//! number says about birth date and gender, against the printed fields.

use crate::report::{Code, Fields, Reason};

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// The check character the first 17 digits call for; None unless `id`
/// starts with 17 ASCII digits.
pub fn check_char(id: &str) -> Option<char> {
    let digits: Vec<u32> = id
        .chars()
        .take(17)
        .map(|c| c.to_digit(10))
        .collect::<Option<_>>()?;
    if digits.len() != 17 {
        return None;
    }
    let sum: u32 = digits.iter().zip(WEIGHTS.iter()).map(|(d, w)| d * w).sum();
    CHECK.get((sum % 11) as usize).copied()
}

/// Whether an 18-character PRC ID number's check digit holds; None where
/// `id` is not 17 digits and a digit or X.
pub fn check_digit_valid(id: &str) -> Option<bool> {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() != 18 {
        return None;
    }
    let last = chars.last().copied()?.to_ascii_uppercase();
    if !(last.is_ascii_digit() || last == 'X') {
        return None;
    }
    Some(check_char(id)? == last)
}

/// The birth date an 18-digit ID number encodes, as (YYYY, MM, DD).
fn id_birth(id: &str) -> Option<(&str, &str, &str)> {
    if id.len() != 18 || !id.is_ascii() {
        return None;
    }
    Some((id.get(6..10)?, id.get(10..12)?, id.get(12..14)?))
}

/// The gender an 18-digit ID number encodes: the 17th digit is odd for men.
fn id_gender(id: &str) -> Option<&'static str> {
    let d = id.chars().nth(16)?.to_digit(10)?;
    Some(if d % 2 == 1 { "男" } else { "女" })
}

/// Reasons where the fields disagree with each other.
pub fn consistency(fields: &Fields) -> Vec<Reason> {
    let mut out = Vec::new();
    let Some(id) = fields.id_number.as_deref() else {
        return out;
    };
    if check_digit_valid(id) == Some(false) {
        out.push(Reason::detail(
            Code::IdNumberCheckDigit,
            format!(
                "{id}: the check character should be {}",
                check_char(id).unwrap_or('?')
            ),
        ));
    }
    if check_digit_valid(id).is_none() {
        return out;
    }
    if let (Some((y, m, d)), Some(birth)) = (id_birth(id), fields.birth.as_deref()) {
        let mut parts = birth.split('-');
        let (by, bm, bd) = (parts.next(), parts.next(), parts.next());
        let differs = by != Some(y) || bm != Some(m) || bd.is_some_and(|bd| bd != d);
        if differs {
            out.push(Reason::detail(
                Code::IdNumberBirthMismatch,
                format!("the ID number says {y}-{m}-{d}, the page says {birth}"),
            ));
        }
    }
    if let (Some(g), Some(shown)) = (id_gender(id), fields.gender.as_deref()) {
        if g != shown {
            out.push(Reason::detail(
                Code::IdNumberGenderMismatch,
                format!("the ID number says {g}, the page says {shown}"),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digits() {
        // By hand: 1*7+1*9+0*10+1*5+9*8+9*4+1*2+9*1+9*6+0*3+0*7+3*9+0*10
        // +7*5+1*8+2*4+1*2 = 274; 274 mod 11 = 10 -> '2'.
        assert_eq!(check_char("11019919900307121"), Some('2'));
        assert_eq!(check_digit_valid("110199199003071212"), Some(true));
        assert_eq!(check_digit_valid("110199199003071211"), Some(false));
        // 44039919850119517: sum 383, 383 mod 11 = 9 -> '3', not the printed '0'.
        assert_eq!(check_digit_valid("440399198501195130"), Some(true));
        assert_eq!(check_digit_valid("440399198501195170"), Some(false));
        // The well-known GB 11643 example.
        assert_eq!(check_digit_valid("11010519491231002X"), Some(true));
        assert_eq!(check_digit_valid("11010519491231002x"), Some(true));
        assert_eq!(check_digit_valid("110105194912310021"), Some(false));
        assert_eq!(check_digit_valid("1101051949123100"), None);
        assert_eq!(check_digit_valid("A1010519491231002X"), None);
        assert_eq!(check_digit_valid("11010519491231002Y"), None);
    }

    fn fields(id: &str, birth: &str, gender: &str) -> Fields {
        Fields {
            id_number: Some(id.into()),
            birth: Some(birth.into()),
            gender: Some(gender.into()),
            ..Fields::default()
        }
    }

    fn codes(f: &Fields) -> Vec<Code> {
        consistency(f).into_iter().map(|r| r.code).collect()
    }

    #[test]
    fn consistency_reasons() {
        assert!(codes(&fields("11010519491231002X", "1949-12", "女")).is_empty());
        assert!(codes(&fields("11010519491231002X", "1949-12-31", "女")).is_empty());
        assert_eq!(
            codes(&fields("11010519491231002X", "1950-12", "女")),
            [Code::IdNumberBirthMismatch]
        );
        assert_eq!(
            codes(&fields("11010519491231002X", "1949-12-30", "女")),
            [Code::IdNumberBirthMismatch]
        );
        assert_eq!(
            codes(&fields("11010519491231002X", "1949-12", "男")),
            [Code::IdNumberGenderMismatch]
        );
        assert_eq!(
            codes(&fields("110105194912310021", "1949-12", "女")),
            [Code::IdNumberCheckDigit]
        );
        // Not an 18-character ID: nothing to compare.
        assert!(codes(&fields("E12345678", "1949-12", "女")).is_empty());
    }
}
