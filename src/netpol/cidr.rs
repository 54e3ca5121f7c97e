//! CIDR blocks (`ipBlock.cidr`, `ipBlock.except`) over IPv4 and IPv6.

use std::net::IpAddr;

/// An address block such as `10.0.0.0/16` or `fd00::/64`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    base: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// Parses `ADDR/PREFIX`; a bare address is a single host.
    pub fn parse(text: &str) -> Option<Cidr> {
        let (addr, prefix) = match text.trim().split_once('/') {
            Some((a, p)) => (a, Some(p.parse::<u8>().ok()?)),
            None => (text.trim(), None),
        };
        let base: IpAddr = addr.parse().ok()?;
        let max = if base.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        (prefix <= max).then_some(Cidr { base, prefix })
    }

    /// Whether `ip` is inside the block; an IPv4 address is never inside an
    /// IPv6 block and the other way round.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.base, ip) {
            (IpAddr::V4(b), IpAddr::V4(a)) => prefix_eq(
                u128::from(b.to_bits()) << 96,
                u128::from(a.to_bits()) << 96,
                self.prefix,
            ),
            (IpAddr::V6(b), IpAddr::V6(a)) => prefix_eq(b.to_bits(), a.to_bits(), self.prefix),
            _ => false,
        }
    }
}

fn prefix_eq(a: u128, b: u128, prefix: u8) -> bool {
    if prefix == 0 {
        return true;
    }
    let mask = u128::MAX << (128 - u32::from(prefix));
    a & mask == b & mask
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn ipv4_blocks() {
        let c = Cidr::parse("172.17.0.0/16").unwrap();
        assert!(c.contains(ip("172.17.1.2")));
        assert!(!c.contains(ip("172.18.0.1")));
        assert!(Cidr::parse("0.0.0.0/0").unwrap().contains(ip("8.8.8.8")));
        assert!(Cidr::parse("10.1.2.3/32").unwrap().contains(ip("10.1.2.3")));
        assert!(!Cidr::parse("10.1.2.3/32").unwrap().contains(ip("10.1.2.4")));
        assert!(Cidr::parse("10.1.2.3").unwrap().contains(ip("10.1.2.3")));
    }

    #[test]
    fn ipv6_blocks_and_families_do_not_mix() {
        let c = Cidr::parse("fd00:10:244::/56").unwrap();
        assert!(c.contains(ip("fd00:10:244:1::5")));
        assert!(!c.contains(ip("fd00:10:245::5")));
        assert!(!c.contains(ip("10.244.0.5")));
        assert!(!Cidr::parse("0.0.0.0/0").unwrap().contains(ip("::1")));
        assert!(Cidr::parse("::/0").unwrap().contains(ip("::1")));
    }

    #[test]
    fn malformed_blocks_are_refused() {
        for bad in ["10.0.0.0/33", "10.0.0/8", "fd00::/129", "x/8", ""] {
            assert_eq!(Cidr::parse(bad), None, "{bad}");
        }
    }
}
