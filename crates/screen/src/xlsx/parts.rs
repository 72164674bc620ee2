//! The workbook's parts besides its sheets, as rust_xlsxwriter 0.96 writes them for sheets named
//! `Sheet1`, `Sheet2`, … (or as named) with a number format per column. Names are checked by the
//! writer to need no escaping.

use std::fmt::Write as _;

pub(super) const DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

pub(super) const THEME: &str = include_str!("theme1.xml");

/// Now, as docProps/core.xml takes it (W3CDTF, UTC).
pub(super) fn now() -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0));
    // A clock before 1970 or past chrono's range: the creation time is metadata, 1970 will do.
    chrono::DateTime::from_timestamp(seconds, 0).unwrap_or_default().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

pub(super) fn content_types(sheets: u32) -> String {
    let mut xml = DECLARATION.to_string();
    xml.push_str(
        "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
         <Default Extension=\"rels\" \
         ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
         <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
         <Override PartName=\"/docProps/app.xml\" \
         ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/>\
         <Override PartName=\"/docProps/core.xml\" \
         ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>\
         <Override PartName=\"/xl/styles.xml\" \
         ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>\
         <Override PartName=\"/xl/theme/theme1.xml\" \
         ContentType=\"application/vnd.openxmlformats-officedocument.theme+xml\"/>\
         <Override PartName=\"/xl/workbook.xml\" \
         ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>",
    );
    for n in 1..=sheets {
        let _ = write!(
            xml,
            "<Override PartName=\"/xl/worksheets/sheet{n}.xml\" \
             ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
        );
    }
    xml.push_str("</Types>");
    xml
}

pub(super) const ROOT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
    <Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
    <Relationship Id=\"rId1\" \
    Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" \
    Target=\"xl/workbook.xml\"/>\
    <Relationship Id=\"rId2\" \
    Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" \
    Target=\"docProps/core.xml\"/>\
    <Relationship Id=\"rId3\" \
    Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties\" \
    Target=\"docProps/app.xml\"/></Relationships>";

pub(super) fn workbook_rels(sheets: u32) -> String {
    let mut xml = DECLARATION.to_string();
    xml.push_str("<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">");
    let relationship = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    for n in 1..=sheets {
        let _ = write!(
            xml,
            "<Relationship Id=\"rId{n}\" Type=\"{relationship}/worksheet\" \
             Target=\"worksheets/sheet{n}.xml\"/>"
        );
    }
    let (theme, styles) = (sheets + 1, sheets + 2);
    let _ = write!(
        xml,
        "<Relationship Id=\"rId{theme}\" Type=\"{relationship}/theme\" Target=\"theme/theme1.xml\"/>\
         <Relationship Id=\"rId{styles}\" Type=\"{relationship}/styles\" Target=\"styles.xml\"/>\
         </Relationships>"
    );
    xml
}

/// Excel's default style, then one per number format, numbered from 164 as custom formats are.
pub(super) fn styles(formats: &[&str]) -> String {
    let mut xml = DECLARATION.to_string();
    let _ = write!(
        xml,
        "<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">\
         <numFmts count=\"{}\">",
        formats.len()
    );
    for (i, format) in formats.iter().enumerate() {
        let _ = write!(xml, "<numFmt numFmtId=\"{}\" formatCode=\"{format}\"/>", 164 + i);
    }
    let _ = write!(
        xml,
        "</numFmts><fonts count=\"1\"><font><sz val=\"11\"/><color theme=\"1\"/><name val=\"Calibri\"/>\
         <family val=\"2\"/><scheme val=\"minor\"/></font></fonts><fills count=\"2\"><fill>\
         <patternFill patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill>\
         </fills><borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
         <cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/>\
         </cellStyleXfs>\
         <cellXfs count=\"{}\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>",
        formats.len() + 1
    );
    for i in 0..formats.len() {
        let _ = write!(
            xml,
            "<xf numFmtId=\"{}\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" \
             applyNumberFormat=\"1\"/>",
            164 + i
        );
    }
    xml.push_str(
        "</cellXfs><cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/>\
         </cellStyles>\
         <dxfs count=\"0\"/><tableStyles count=\"0\" defaultTableStyle=\"TableStyleMedium9\" \
         defaultPivotStyle=\"PivotStyleLight16\"/></styleSheet>",
    );
    xml
}

pub(super) fn workbook(names: &[String]) -> String {
    let mut xml = DECLARATION.to_string();
    xml.push_str(
        "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" \
         xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">\
         <fileVersion appName=\"xl\" lastEdited=\"4\" lowestEdited=\"4\" rupBuild=\"4505\"/>\
         <workbookPr defaultThemeVersion=\"124226\"/><bookViews>\
         <workbookView xWindow=\"240\" yWindow=\"15\" windowWidth=\"16095\" windowHeight=\"9660\"/>\
         </bookViews><sheets>",
    );
    for (n, name) in (1..).zip(names) {
        let _ = write!(xml, "<sheet name=\"{name}\" sheetId=\"{n}\" r:id=\"rId{n}\"/>");
    }
    xml.push_str("</sheets><calcPr calcId=\"124519\" fullCalcOnLoad=\"1\"/></workbook>");
    xml
}

pub(super) fn core(created: &str) -> String {
    format!(
        "{DECLARATION}<cp:coreProperties \
         xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" \
         xmlns:dcmitype=\"http://purl.org/dc/dcmitype/\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\
         <dc:creator></dc:creator><cp:lastModifiedBy></cp:lastModifiedBy>\
         <dcterms:created xsi:type=\"dcterms:W3CDTF\">{created}</dcterms:created>\
         <dcterms:modified xsi:type=\"dcterms:W3CDTF\">{created}</dcterms:modified></cp:coreProperties>"
    )
}

pub(super) fn app(names: &[String]) -> String {
    let sheets = names.len();
    let mut xml = DECLARATION.to_string();
    let _ = write!(
        xml,
        "<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\" \
         xmlns:vt=\"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes\">\
         <Application>Microsoft Excel</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>\
         <HeadingPairs><vt:vector size=\"2\" baseType=\"variant\"><vt:variant><vt:lpstr>Worksheets</vt:lpstr>\
         </vt:variant><vt:variant><vt:i4>{sheets}</vt:i4></vt:variant></vt:vector></HeadingPairs>\
         <TitlesOfParts><vt:vector size=\"{sheets}\" baseType=\"lpstr\">"
    );
    for name in names {
        let _ = write!(xml, "<vt:lpstr>{name}</vt:lpstr>");
    }
    xml.push_str(
        "</vt:vector></TitlesOfParts><Company></Company><LinksUpToDate>false</LinksUpToDate>\
         <SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged>\
         <AppVersion>12.0000</AppVersion></Properties>",
    );
    xml
}
