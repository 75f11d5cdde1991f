//! Name resolution for outgoing requests: outside test mode a name that resolves to a
//! loopback, private, link-local or otherwise non-public address is refused, and the
//! addresses checked are the ones reqwest connects to (no second lookup to rebind).

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// `localhost` and its subdomains (RFC 6761), which always mean this machine.
pub fn is_localhost_name(name: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost" || name.ends_with(".localhost")
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0
        // Shared address space (carrier-grade NAT), 100.64.0.0/10.
        || (a == 100 && (b & 0xc0) == 64)
        // IETF protocol assignments, 192.0.0.0/24.
        || (a == 192 && b == 0 && c == 0)
        // Benchmarking, 198.18.0.0/15.
        || (a == 198 && (b & 0xfe) == 18)
        // Reserved, 240.0.0.0/4.
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let segments = ip.segments();
    // Only global unicast (2000::/3) is public.
    if segments[0] & 0xe000 != 0x2000 {
        return false;
    }
    match segments[0] {
        // Documentation 2001:db8::/32, Teredo and other IETF assignments 2001::/23.
        0x2001 if segments[1] == 0x0db8 || segments[1] < 0x0200 => false,
        // 6to4 carries an IPv4 address: judge that one.
        0x2002 => is_public_v4(Ipv4Addr::new(
            (segments[1] >> 8) as u8,
            segments[1] as u8,
            (segments[2] >> 8) as u8,
            segments[2] as u8,
        )),
        // Documentation 3fff::/20.
        0x3fff if segments[1] < 0x1000 => false,
        _ => true,
    }
}

/// Whether an address is on the public internet (what a production instance may reach).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

/// reqwest's resolver: looks the name up and, when `public_only`, refuses it if any of its
/// addresses is not public.
pub struct PublicResolver {
    pub public_only: bool,
}

impl Resolve for PublicResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let public_only = self.public_only;
        Box::pin(async move {
            let host = name.as_str().to_string();
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if public_only && (is_localhost_name(&host) || addrs.iter().any(|a| !is_public(a.ip())))
            {
                return Err(format!("{host} resolves to a non-public address").into());
            }
            let addrs: Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public(s: &str) -> bool {
        is_public(s.parse().unwrap())
    }

    #[test]
    fn internal_addresses_are_not_public() {
        for internal in [
            "127.0.0.1",
            "127.0.0.2",
            "0.0.0.0",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "192.0.0.8",
            "198.18.0.1",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "::ffff:127.0.0.1",
            "fc00::1",
            "fd12::1",
            "fe80::1",
            "2001:db8::1",
            "2002:7f00:1::1",
            "ff02::1",
        ] {
            assert!(!public(internal), "{internal} must not be public");
        }
        for outside in [
            "1.1.1.1",
            "93.184.216.34",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(public(outside), "{outside} is public");
        }
        assert!(is_localhost_name("LocalHost."));
        assert!(is_localhost_name("a.localhost"));
        assert!(!is_localhost_name("localhost.example"));
    }
}
