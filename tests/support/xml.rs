// A small XML tree read with quick-xml: what a CI tool reads from a JUnit
// report. Shared by the JUnit unit test and the CLI tests.

use std::collections::BTreeMap;

use quick_xml::events::{BytesStart, Event};

#[derive(Debug, Default)]
pub struct Element {
    pub name: String,
    pub attrs: BTreeMap<String, String>,
    /// Text content, entities resolved.
    pub text: String,
    pub children: Vec<Element>,
}

impl Element {
    pub fn attr(&self, name: &str) -> &str {
        self.attrs.get(name).map_or("", String::as_str)
    }

    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    pub fn one<'a>(&'a self, name: &'a str) -> &'a Element {
        let found: Vec<_> = self.all(name).collect();
        assert_eq!(found.len(), 1, "one <{name}> in <{}>", self.name);
        found[0]
    }

    /// `<properties><property name value/>…` as a map.
    pub fn properties(&self) -> BTreeMap<&str, &str> {
        self.one("properties")
            .all("property")
            .map(|p| (p.attr("name"), p.attr("value")))
            .collect()
    }
}

fn element(e: &BytesStart) -> Element {
    Element {
        name: String::from_utf8(e.name().as_ref().to_vec()).unwrap(),
        attrs: e
            .attributes()
            .map(|a| {
                let a = a.unwrap();
                (
                    String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                    a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .unwrap()
                        .into_owned(),
                )
            })
            .collect(),
        ..Element::default()
    }
}

/// The root element; panics on malformed XML.
pub fn parse(xml: &str) -> Element {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut stack = vec![Element::default()];
    loop {
        let event = reader.read_event().unwrap();
        let top = stack.last_mut().unwrap();
        match event {
            Event::Start(e) => stack.push(element(&e)),
            Event::Empty(e) => top.children.push(element(&e)),
            Event::End(_) => {
                let done = stack.pop().unwrap();
                stack.last_mut().unwrap().children.push(done);
            }
            Event::Text(t) => top.text.push_str(&t.decode().unwrap()),
            Event::CData(t) => top.text.push_str(&t.decode().unwrap()),
            Event::GeneralRef(r) => match r.resolve_char_ref().unwrap() {
                Some(c) => top.text.push(c),
                None => top.text.push_str(
                    quick_xml::escape::resolve_predefined_entity(&r.decode().unwrap()).unwrap(),
                ),
            },
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(stack.len(), 1, "unclosed elements");
    let mut root = stack.pop().unwrap();
    assert_eq!(root.children.len(), 1, "one root element");
    root.children.pop().unwrap()
}
