//! Image references compared the way the container runtime resolves them:
//! `nginx:alpine`, `docker.io/library/nginx:alpine` and
//! `index.docker.io/library/nginx:alpine` are one image; no tag means
//! `latest`; a digest pins the image whatever tag is written beside it.

/// A parsed, normalised image reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// `docker.io/library/nginx`, `registry.internal.com:5000/team/app`.
    pub repository: String,
    /// The tag as written, or `latest` when there is neither tag nor digest.
    pub tag: Option<String>,
    /// `sha256:…`
    pub digest: Option<String>,
}

impl Reference {
    pub fn parse(text: &str) -> Reference {
        let text = text.trim();
        let (name, digest) = match text.split_once('@') {
            Some((n, d)) => (n, Some(d.to_string())),
            None => (text, None),
        };
        // A tag follows the last ':' after the last '/' (a ':' before it is a port).
        let last_slash = name.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match name[last_slash..].rfind(':') {
            Some(i) => (
                &name[..last_slash + i],
                Some(name[last_slash + i + 1..].to_string()),
            ),
            None => (name, None),
        };
        let tag = tag.or_else(|| digest.is_none().then(|| "latest".to_string()));
        let (domain, path) = match name.split_once('/') {
            Some((first, rest))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                (first.to_string(), rest.to_string())
            }
            _ => ("docker.io".to_string(), name.to_string()),
        };
        let domain = if domain == "index.docker.io" || domain == "registry-1.docker.io" {
            "docker.io".to_string()
        } else {
            domain
        };
        let path = if domain == "docker.io" && !path.contains('/') {
            format!("library/{path}")
        } else {
            path
        };
        Reference {
            repository: format!("{domain}/{path}"),
            tag,
            digest,
        }
    }

    /// The registry host (with port), e.g. `docker.io`, `registry.acme.example:5000`.
    pub fn domain(&self) -> &str {
        self.repository
            .split_once('/')
            .map_or(self.repository.as_str(), |(d, _)| d)
    }

    /// Whether a container running `self` runs the image `wanted` names:
    /// same repository and, when `wanted` pins a digest, that digest;
    /// otherwise the same tag (a reference pinned by digest alone cannot be
    /// shown to be a tag).
    pub fn runs(&self, wanted: &Reference) -> bool {
        if self.repository != wanted.repository {
            return false;
        }
        match (&wanted.digest, &self.digest) {
            (Some(w), Some(h)) => w.eq_ignore_ascii_case(h),
            (Some(_), None) => false,
            (None, _) => wanted.tag.is_some() && self.tag == wanted.tag,
        }
    }
}

/// Whether two references written in a spec or a rubric name the same image.
pub fn same(have: &str, wanted: &str) -> bool {
    Reference::parse(have).runs(&Reference::parse(wanted))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_hub_spellings_are_one_image() {
        for spelled in [
            "nginx:alpine",
            "docker.io/library/nginx:alpine",
            "index.docker.io/library/nginx:alpine",
            "docker.io/nginx:alpine",
        ] {
            assert!(same(spelled, "nginx:alpine"), "{spelled}");
            assert!(same("nginx:alpine", spelled), "{spelled}");
        }
        assert!(!same("nginx:1.27-alpine", "nginx:alpine"));
        assert!(!same("nginxinc/nginx:alpine", "nginx:alpine"));
    }

    #[test]
    fn no_tag_is_latest_and_a_port_is_not_a_tag() {
        assert!(same("nginx", "nginx:latest"));
        assert!(same("docker.io/library/nginx:latest", "nginx"));
        let r = Reference::parse("registry.acme.example:5000/shop/api");
        assert_eq!(r.repository, "registry.acme.example:5000/shop/api");
        assert_eq!(r.tag.as_deref(), Some("latest"));
        assert_eq!(r.domain(), "registry.acme.example:5000");
        assert!(same(
            "registry.acme.example:5000/shop/api:3.1.0",
            "registry.acme.example:5000/shop/api:3.1.0"
        ));
        assert!(!same(
            "registry.acme.example/shop/api:3.1.0",
            "registry.acme.example:5000/shop/api:3.1.0"
        ));
    }

    #[test]
    fn a_digest_pins_the_image() {
        let d = "sha256:96dd76e75a221aabf57e611fdf7bcd666348ef0f940412e13b44676857d3ab80";
        assert!(same(&format!("busybox@{d}"), &format!("busybox@{d}")));
        assert!(same(
            &format!("busybox:1.36@{d}"),
            &format!("docker.io/library/busybox@{d}")
        ));
        assert!(!same("busybox:1.36", &format!("busybox@{d}")));
        // Tag and digest written together: the tag the task asks for is there.
        assert!(same(&format!("busybox:1.36@{d}"), "busybox:1.36"));
        // Pinned by digest alone: which tag it was cannot be told.
        assert!(!same(&format!("busybox@{d}"), "busybox:1.36"));
        assert_eq!(Reference::parse(&format!("busybox@{d}")).tag, None);
    }
}
