//! Prints the text and fields certcheck reads from PDFs (a debugging aid).
fn main() {
    for path in std::env::args().skip(1) {
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        println!("== {path}");
        match certcheck::pdf::PdfFile::parse(&bytes, None) {
            Ok(f) => {
                let out = certcheck::text::extract(&f.doc);
                println!("{}", out.text);
                println!("{:?}", out.fields);
                for r in out.reasons {
                    println!("reason: {}", r.message);
                }
            }
            Err(e) => println!("error: {e}"),
        }
    }
}
