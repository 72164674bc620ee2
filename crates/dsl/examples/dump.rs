fn main() {
    let path = std::env::args().nth(1).unwrap_or_default();
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let parsed = huiqi_dsl::parse(&text);
    println!("{:#?}", parsed.file);
    let index = huiqi_dsl::LineIndex::new(&text);
    for d in &parsed.diagnostics {
        print!("{}", d.render(&path, &text, &index, huiqi_dsl::Style::default()));
    }
}
