//! The certificate's fields (SPEC.md "Fields"): labels found on a line,
//! values paired with them by position (to the right on the same baseline,
//! else the run below), then normalised.

use std::sync::OnceLock;

use regex::Regex;

use super::ids;
use super::layout::Line;
use crate::report::Fields;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    ManagementNumber,
    Name,
    Gender,
    Birth,
    IdNumber,
    Qualification,
    Level,
    ApprovalDate,
}

/// Labels in their Simplified form, longest first so that 证书管理号 wins
/// over 管理号 and 身份证号码 over 身份证号. Traditional text is mapped to
/// Simplified (see [`simplify`]) before it is compared.
const LABELS: &[(&str, Field)] = &[
    ("公民身份号码", Field::IdNumber),
    ("证书管理号", Field::ManagementNumber),
    ("身份证号码", Field::IdNumber),
    ("出生年月", Field::Birth),
    ("出生日期", Field::Birth),
    ("证件号码", Field::IdNumber),
    ("证书编号", Field::ManagementNumber),
    ("查询编号", Field::ManagementNumber),
    ("资格名称", Field::Qualification),
    ("批准日期", Field::ApprovalDate),
    ("身份证号", Field::IdNumber),
    ("管理号", Field::ManagementNumber),
    ("姓名", Field::Name),
    ("性别", Field::Gender),
    ("级别", Field::Level),
];

/// The line that marks a query-result proof.
const QUERY_RESULT: &str = "人力资源和社会保障部人事考试中心提供查询结果";

/// A label's characters may stand this many ems apart (姓　　名).
const LABEL_SPREAD: f32 = 3.5;
/// A value ends where the next character stands further than this many
/// ems away (a two-character name spread to four: 张　　伟 has gaps of 2).
const VALUE_GAP: f32 = 2.5;
/// A free-text value (name, qualification) without a colon must stand at
/// least this many ems from its label.
const SEPARATION: f32 = 0.8;
/// The run below a label without a value counts when it is at most this
/// many line heights lower.
const NEXT_LINE: f32 = 2.5;

/// The Traditional characters of the labels, the levels and the
/// query-result line, mapped to their Simplified forms. Only what the
/// fields need: a full converter is not the point.
pub fn simplify(c: char) -> char {
    match c {
        '號' => '号',
        '證' => '证',
        '碼' => '码',
        '資' => '资',
        '稱' => '称',
        '級' => '级',
        '別' => '别',
        '準' => '准',
        '書' => '书',
        '編' => '编',
        '詢' => '询',
        '會' => '会',
        '試' => '试',
        '結' => '结',
        '歲' => '岁',
        '則' => '则',
        '國' => '国',
        '華' => '华',
        '門' => '门',
        '員' => '员',
        '師' => '师',
        '統' => '统',
        '項' => '项',
        '網' => '网',
        '絡' => '络',
        '計' => '计',
        '機' => '机',
        '軟' => '软',
        '體' => '体',
        '設' => '设',
        '術' => '术',
        '業' => '业',
        '專' => '专',
        '處' => '处',
        '與' => '与',
        '們' => '们',
        '為' => '为',
        other => other,
    }
}

fn is_colon(c: char) -> bool {
    matches!(c, ':' | '：' | '∶' | '﹕')
}

/// The label that starts at `i` of `line` (its field and length).
fn label_at(line: &Line, simple: &[char], i: usize) -> Option<(Field, usize)> {
    'labels: for (label, field) in LABELS {
        let n = label.chars().count();
        let Some(window) = simple.get(i..i + n) else {
            continue;
        };
        if !window.iter().copied().eq(label.chars()) {
            continue;
        }
        for k in i + 1..i + n {
            let size = line.chars.get(k).map_or(1.0, |c| c.size.max(1.0));
            if line.gap_before(k) > LABEL_SPREAD * size {
                continue 'labels;
            }
        }
        return Some((*field, n));
    }
    None
}

/// The value that starts at `start` of `line`: up to a wide gap or the
/// next label.
fn value_from(line: &Line, simple: &[char], start: usize) -> String {
    let mut out = String::new();
    let mut k = start;
    while let Some(c) = line.chars.get(k) {
        if k > start {
            if line.gap_before(k) > VALUE_GAP * c.size.max(1.0) {
                break;
            }
            if label_at(line, simple, k).is_some() {
                break;
            }
        } else if label_at(line, simple, k).is_some() {
            break;
        }
        out.push(c.ch);
        k += 1;
    }
    out
}

/// Finds the fields in the lines of a document, pages in order.
pub fn find(lines: &[Line]) -> Fields {
    let mut fields = Fields::default();
    let simple: Vec<Vec<char>> = lines
        .iter()
        .map(|l| l.chars.iter().map(|c| simplify(c.ch)).collect())
        .collect();
    for (li, line) in lines.iter().enumerate() {
        let Some(s) = simple.get(li) else { continue };
        let mut i = 0usize;
        while i < line.chars.len() {
            let Some((field, n)) = label_at(line, s, i) else {
                i += 1;
                continue;
            };
            let mut j = i + n;
            while line.chars.get(j).is_some_and(|c| is_colon(c.ch)) {
                j += 1;
            }
            let mut value = value_from(line, s, j);
            // A label in running text ("请核对姓名与资格名称") is followed by more
            // text; a label of a field stands apart from its value: a colon,
            // a gap, or the value on the next line.
            let size = line.chars.get(j).map_or(1.0, |c| c.size.max(1.0));
            let mut separated = j > i + n || line.gap_before(j) > SEPARATION * size;
            if value.is_empty() {
                value = value_below(lines, &simple, li, line.chars.get(i).map_or(0.0, |c| c.x));
                separated = true;
            }
            let free_text = matches!(field, Field::Name | Field::Qualification);
            if !value.is_empty() && (separated || !free_text) {
                set_field(&mut fields, field, &value);
            }
            i = j.max(i + 1);
        }
    }
    let all: String = simple.iter().flatten().collect();
    fields.query_result_label = all.contains(QUERY_RESULT);
    fields.id_number_valid = fields.id_number.as_deref().and_then(ids::check_digit_valid);
    fields
}

/// The value of a label that has nothing to its right: the run on the
/// next line, under or right of the label.
fn value_below(lines: &[Line], simple: &[Vec<char>], li: usize, label_x: f32) -> String {
    let Some(line) = lines.get(li) else {
        return String::new();
    };
    let margin = line.size.max(1.0);
    // The first run below, under or right of the label: lines of another
    // column (all to the left) are passed over.
    for (next, s) in lines.iter().zip(simple.iter()).skip(li + 1).take(4) {
        if line.y - next.y > NEXT_LINE * line.size.max(next.size).max(1.0) {
            break;
        }
        if let Some(start) = next.chars.iter().position(|c| c.x >= label_x - margin) {
            return value_from(next, s, start);
        }
    }
    String::new()
}

fn set_field(fields: &mut Fields, field: Field, value: &str) {
    let slot = match field {
        Field::ManagementNumber => &mut fields.management_number,
        Field::Name => &mut fields.name,
        Field::Gender => &mut fields.gender,
        Field::Birth => &mut fields.birth,
        Field::IdNumber => &mut fields.id_number,
        Field::Qualification => &mut fields.qualification,
        Field::Level => &mut fields.level,
        Field::ApprovalDate => &mut fields.approval_date,
    };
    if slot.is_some() {
        return;
    }
    *slot = match field {
        Field::ManagementNumber => management_number(value),
        Field::Name => name(value),
        Field::Gender => gender(value),
        Field::Birth | Field::ApprovalDate => date(value),
        Field::IdNumber => id_number(value),
        Field::Qualification => qualification(value),
        Field::Level => level(value),
    };
}

/// Runs of `[0-9A-Za-z-]` in `value`.
fn tokens(value: &str) -> impl Iterator<Item = &str> {
    value
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .map(|t| t.trim_matches('-'))
        .filter(|t| !t.is_empty())
}

/// An opaque token of 6 to 32 of `[0-9A-Za-z-]` holding a digit.
pub fn management_number(value: &str) -> Option<String> {
    tokens(value)
        .find(|t| (6..=32).contains(&t.len()) && t.chars().any(|c| c.is_ascii_digit()))
        .map(str::to_string)
}

/// An ID number as printed, `x` upper-cased: 18-character PRC numbers
/// first, else another identity document's number (5 digits at least).
pub fn id_number(value: &str) -> Option<String> {
    let compact: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    let found = tokens(&compact)
        .find(|t| {
            (6..=32).contains(&t.len())
                && t.chars().filter(|c| c.is_ascii_digit()).count() >= 5
                && !t.contains('-')
        })
        .map(|t| t.replace('x', "X"));
    found
}

fn trim_punct(value: &str) -> &str {
    value.trim_matches(|c: char| {
        c.is_whitespace() || is_colon(c) || ",.;，。；、()（）[]【】\"'“”".contains(c)
    })
}

/// A name as printed, inner white space removed.
pub fn name(value: &str) -> Option<String> {
    let v: String = trim_punct(value)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let n = v.chars().count();
    if n == 0 || n > 30 {
        return None;
    }
    if v.chars().all(|c| c.is_alphabetic() || "·•.-'".contains(c)) {
        Some(v)
    } else {
        None
    }
}

pub fn gender(value: &str) -> Option<String> {
    match trim_punct(value).chars().next() {
        Some('男') => Some("男".into()),
        Some('女') => Some("女".into()),
        _ => None,
    }
}

pub fn level(value: &str) -> Option<String> {
    let simple: String = value.chars().map(simplify).collect();
    ["初级", "中级", "高级"]
        .iter()
        .filter_map(|l| simple.find(l).map(|pos| (pos, *l)))
        .min()
        .map(|(_, l)| l.to_string())
}

pub fn qualification(value: &str) -> Option<String> {
    let v: String = trim_punct(value)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let n = v.chars().count();
    if (2..=60).contains(&n) && v.chars().any(|c| c.is_alphabetic()) && !v.chars().any(is_colon) {
        Some(v)
    } else {
        None
    }
}

const DATE: &str = r"(\d{4})\s*(?:年|[-./])\s*(\d{1,2})\s*(?:月\s*(?:(\d{1,2})\s*日?)?|[-./]\s*(\d{1,2})(?:\D|$))?";
const COMPACT_DATE: &str = r"^(\d{4})(\d{2})(\d{2})?$";

/// The date patterns with Unicode digit classes (`\d` is every script's
/// digits) or, for text whose only digits are ASCII, with `[0-9]`: on such
/// text both match the same, and the ASCII forms compile in a fraction of
/// the time (the Unicode `\d`/`\D` automata were a third of a small
/// file's text stage).
fn date_res(ascii: bool) -> &'static (Regex, Regex) {
    static UNICODE: OnceLock<(Regex, Regex)> = OnceLock::new();
    static ASCII: OnceLock<(Regex, Regex)> = OnceLock::new();
    let build = |ascii: bool| {
        let pattern = |p: &str| match ascii {
            true => p.replace(r"\d", "[0-9]").replace(r"\D", "[^0-9]"),
            false => p.to_string(),
        };
        let compile = |p: &str| {
            Regex::new(&pattern(p))
                .unwrap_or_else(|_| unreachable!("the date pattern is a constant"))
        };
        (compile(DATE), compile(COMPACT_DATE))
    };
    match ascii {
        true => ASCII.get_or_init(|| build(true)),
        false => UNICODE.get_or_init(|| build(false)),
    }
}

/// A date as `YYYY-MM`, or `YYYY-MM-DD` where the day is printed.
pub fn date(value: &str) -> Option<String> {
    let v = trim_punct(value);
    let ascii_digits_only = !v.chars().any(|c| !c.is_ascii() && c.is_numeric());
    let (date_re, compact_date_re) = date_res(ascii_digits_only);
    let caps = date_re
        .captures(v)
        .or_else(|| compact_date_re.captures(v))?;
    let year: u32 = caps.get(1)?.as_str().parse().ok()?;
    let month: u32 = caps.get(2)?.as_str().parse().ok()?;
    let day: Option<u32> = caps
        .get(3)
        .or_else(|| caps.get(4))
        .and_then(|m| m.as_str().parse().ok());
    if !(1900..=2100).contains(&year) || !(1..=12).contains(&month) {
        return None;
    }
    match day {
        Some(d) if (1..=31).contains(&d) => Some(format!("{year:04}-{month:02}-{d:02}")),
        Some(_) => None,
        None => Some(format!("{year:04}-{month:02}")),
    }
}

#[cfg(test)]
mod tests {
    use super::super::layout::Char;
    use super::*;

    #[test]
    fn ascii_date_patterns_match_as_the_unicode_ones_on_ascii_digits() {
        let inputs = [
            "2022年01月",
            "2022 年 1 月 5 日",
            "2022-1-05",
            "2022.01.05x",
            "2022/13/05",
            "20220105",
            "202201",
            "1899年12月",
            "批准日期：2021年6月",
            "2021年6月\u{3000}",
            "2021-06-",
            "abc",
        ];
        let (ud, uc) = date_res(false);
        let (ad, ac) = date_res(true);
        for v in inputs {
            let all = |re: &Regex| -> Vec<Vec<Option<String>>> {
                re.captures_iter(v)
                    .map(|c| {
                        c.iter()
                            .map(|m| m.map(|m| m.as_str().to_string()))
                            .collect()
                    })
                    .collect()
            };
            assert_eq!(all(ud), all(ad), "{v}");
            assert_eq!(all(uc), all(ac), "{v}");
        }
        // Other scripts' digits keep the Unicode patterns.
        assert_eq!(date("٢٠٢٢-٠١"), None);
        assert_eq!(date("２０２２年１月"), None);
        assert_eq!(date("2022年1月"), Some("2022-01".into()));
    }

    /// A line of characters 10 units wide and apart, with gaps where the
    /// text has '|' (one gap of 10 em per bar).
    fn line(y: f32, x0: f32, text: &str) -> Line {
        let mut chars = Vec::new();
        let mut x = x0;
        for ch in text.chars() {
            if ch == '|' {
                x += 100.0;
                continue;
            }
            if ch.is_whitespace() {
                x += 10.0;
                continue;
            }
            chars.push(Char {
                ch,
                x,
                end: x + 10.0,
                size: 10.0,
                order: chars.len(),
            });
            x += 10.0;
        }
        Line {
            y,
            size: 10.0,
            chars,
        }
    }

    fn from(texts: &[&str]) -> Fields {
        let lines: Vec<Line> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| line(500.0 - 30.0 * i as f32, 0.0, t))
            .collect();
        find(&lines)
    }

    #[test]
    fn certificate_layout() {
        let f = from(&[
            "姓  名:张伟|性  别:男",
            "出生年月:1990年03月",
            "证件号码:110199199003071212",
            "资格名称:信息系统项目管理师",
            "级  别:高级",
            "管 理 号:2023K1101000417",
            "批准日期:2023年12月20日",
        ]);
        assert_eq!(f.name.as_deref(), Some("张伟"));
        assert_eq!(f.gender.as_deref(), Some("男"));
        assert_eq!(f.birth.as_deref(), Some("1990-03"));
        assert_eq!(f.id_number.as_deref(), Some("110199199003071212"));
        assert_eq!(f.id_number_valid, Some(true));
        assert_eq!(f.qualification.as_deref(), Some("信息系统项目管理师"));
        assert_eq!(f.level.as_deref(), Some("高级"));
        assert_eq!(f.management_number.as_deref(), Some("2023K1101000417"));
        assert_eq!(f.approval_date.as_deref(), Some("2023-12-20"));
        assert!(!f.query_result_label);
    }

    #[test]
    fn table_layout_without_colons() {
        let f = from(&[
            "姓名|张伟",
            "证件号码|32019919920815204x",
            "资格名称|软件设计师",
            "级别|中级",
            "证书编号|2022R3201004388",
            "批准日期|2022-06-18",
            "人力资源和社会保障部人事考试中心提供查询结果",
        ]);
        assert_eq!(f.name.as_deref(), Some("张伟"));
        assert_eq!(f.id_number.as_deref(), Some("32019919920815204X"));
        assert_eq!(f.id_number_valid, Some(true));
        assert_eq!(f.level.as_deref(), Some("中级"));
        assert_eq!(f.management_number.as_deref(), Some("2022R3201004388"));
        assert_eq!(f.approval_date.as_deref(), Some("2022-06-18"));
        assert!(f.query_result_label);
        assert_eq!(f.gender, None);
        assert_eq!(f.birth, None);
    }

    #[test]
    fn traditional_forms() {
        let f = from(&[
            "姓名：陳喆|性別：男",
            "出生年月：1988年11月",
            "證件號碼：330199198811024170",
            "資格名稱：程序員",
            "級別：初級",
            "管理號：2023C3301002209",
            "批准日期：2023年06月10日",
            "人力資源和社會保障部人事考試中心提供查詢結果",
        ]);
        assert_eq!(f.name.as_deref(), Some("陳喆"));
        assert_eq!(f.gender.as_deref(), Some("男"));
        assert_eq!(f.birth.as_deref(), Some("1988-11"));
        assert_eq!(f.id_number.as_deref(), Some("330199198811024170"));
        assert_eq!(f.qualification.as_deref(), Some("程序員"));
        assert_eq!(f.level.as_deref(), Some("初级"));
        assert_eq!(f.management_number.as_deref(), Some("2023C3301002209"));
        assert_eq!(f.approval_date.as_deref(), Some("2023-06-10"));
        assert!(f.query_result_label);
    }

    #[test]
    fn label_variants() {
        type Getter = fn(&Fields) -> Option<&str>;
        let cases: &[(&str, Getter, &str)] = &[
            (
                "管理号:ABC123",
                |f| f.management_number.as_deref(),
                "ABC123",
            ),
            (
                "证书管理号:2023K1101000417",
                |f| f.management_number.as_deref(),
                "2023K1101000417",
            ),
            (
                "证书编号:2023-K-0001",
                |f| f.management_number.as_deref(),
                "2023-K-0001",
            ),
            (
                "查询编号 Q20231234",
                |f| f.management_number.as_deref(),
                "Q20231234",
            ),
            (
                "身份证号码:11010519491231002X",
                |f| f.id_number.as_deref(),
                "11010519491231002X",
            ),
            (
                "身份证号:11010519491231002x",
                |f| f.id_number.as_deref(),
                "11010519491231002X",
            ),
            (
                "证件号码 11010519491231002X",
                |f| f.id_number.as_deref(),
                "11010519491231002X",
            ),
            ("出生日期:1949-12-31", |f| f.birth.as_deref(), "1949-12-31"),
            ("出生年月:1949年12月", |f| f.birth.as_deref(), "1949-12"),
        ];
        for (text, get, want) in cases {
            let f = from(&[text]);
            assert_eq!(get(&f), Some(*want), "{text}");
        }
    }

    #[test]
    fn spaced_labels_and_full_width_colons() {
        // White space stands for a gap of one em, as on the page.
        let f = from(&[
            "姓　　名：李　娜",
            "管 理 号 ： 2022R3201004388",
            "性 别 : 女",
        ]);
        assert_eq!(f.name.as_deref(), Some("李娜"));
        assert_eq!(f.management_number.as_deref(), Some("2022R3201004388"));
        assert_eq!(f.gender.as_deref(), Some("女"));
    }

    #[test]
    fn value_on_the_next_line() {
        let lines = vec![
            line(500.0, 100.0, "资格名称:"),
            line(485.0, 100.0, "网络工程师"),
            line(470.0, 0.0, "姓名"),
            line(455.0, 0.0, "欧阳晓雯"),
        ];
        let f = find(&lines);
        assert_eq!(f.qualification.as_deref(), Some("网络工程师"));
        assert_eq!(f.name.as_deref(), Some("欧阳晓雯"));
    }

    #[test]
    fn value_below_skips_a_line_of_another_column() {
        let lines = vec![
            line(500.0, 200.0, "姓名:"),
            line(490.0, 0.0, "照片"),
            line(485.0, 200.0, "欧阳晓雯"),
        ];
        assert_eq!(find(&lines).name.as_deref(), Some("欧阳晓雯"));
    }

    #[test]
    fn value_far_below_is_not_taken() {
        let lines = vec![line(500.0, 0.0, "姓名:"), line(300.0, 0.0, "张伟")];
        assert_eq!(find(&lines).name, None);
    }

    #[test]
    fn pairing_is_by_position_not_string_order() {
        // Two labels on one line, their values in the cells to their right,
        // painted in another order than they are read.
        let mut l = line(500.0, 0.0, "姓名|张伟|性别|男");
        l.chars.reverse();
        l.chars.sort_by(|a, b| a.x.total_cmp(&b.x));
        let f = find(&[l]);
        assert_eq!(f.name.as_deref(), Some("张伟"));
        assert_eq!(f.gender.as_deref(), Some("男"));
    }

    #[test]
    fn date_forms() {
        for (v, want) in [
            ("2023年12月20日", Some("2023-12-20")),
            ("2023-12-20", Some("2023-12-20")),
            ("2023.12.20", Some("2023-12-20")),
            ("2023/12/20", Some("2023-12-20")),
            ("1990年03月", Some("1990-03")),
            ("1990年3月", Some("1990-03")),
            ("1990.3", Some("1990-03")),
            ("1990-03", Some("1990-03")),
            ("2023年1月5日", Some("2023-01-05")),
            ("20231220", Some("2023-12-20")),
            ("199003", Some("1990-03")),
            ("1990年13月", None),
            ("2023-12-32", None),
            ("不详", None),
        ] {
            assert_eq!(date(v).as_deref(), want, "{v}");
        }
    }

    #[test]
    fn value_checks() {
        assert_eq!(management_number("编号12345"), None);
        assert_eq!(management_number("AB-123456-C"), Some("AB-123456-C".into()));
        assert_eq!(management_number(&"1".repeat(33)), None);
        assert_eq!(name("张 伟"), Some("张伟".into()));
        assert_eq!(name("张伟123"), None);
        assert_eq!(name("阿卜杜·热合曼"), Some("阿卜杜·热合曼".into()));
        assert_eq!(gender("女"), Some("女".into()));
        assert_eq!(gender("未知"), None);
        assert_eq!(level("高級資格"), Some("高级".into()));
        assert_eq!(level("专家"), None);
        assert_eq!(id_number("E12345678"), Some("E12345678".into()));
        assert_eq!(id_number("无"), None);
    }

    #[test]
    fn labels_in_running_text_are_not_fields() {
        let f = from(&[
            "请核对姓名与资格名称是否正确",
            "姓名:王芳",
            "资格名称 网络规划设计师",
        ]);
        assert_eq!(f.name.as_deref(), Some("王芳"));
        assert_eq!(f.qualification.as_deref(), Some("网络规划设计师"));
    }

    #[test]
    fn text_without_labels_gives_nothing() {
        let f = from(&[
            "中华人民共和国",
            "计算机技术与软件专业技术资格证书",
            "本证书表明持证人通过考试",
        ]);
        assert!(f.is_empty());
        assert_eq!(f.id_number_valid, None);
    }
}
