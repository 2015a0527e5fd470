//! A reverse proxy the portal trusts: which peers it is, the header it names the client's
//! address in, and whether its user and group headers sign people in.

use std::net::IpAddr;

use ipnet::IpNet;

/// A reverse proxy in front of the portal: its addresses, the header it gives the client's
/// address in, and whether its user and group headers sign people in.
#[derive(Debug, Clone)]
pub struct TrustedProxy {
    pub networks: Vec<IpNet>,
    /// `X-Forwarded-For` or `Forwarded`.
    pub client_header: http::HeaderName,
    /// Off unless asked for: a proxy that only forwards passes a client's own copies through.
    pub sign_in: Option<ProxySignIn>,
}

/// The headers a signing-in proxy names the user and their groups in.
#[derive(Debug, Clone)]
pub struct ProxySignIn {
    pub user_header: http::HeaderName,
    pub groups_header: http::HeaderName,
}

/// An IPv4 address seen over IPv6 (`::ffff:10.0.0.1`) is that IPv4 address.
fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        v4 => v4,
    }
}

/// One hop of a forwarding header: `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1`,
/// `[2001:db8::1]:4711` or quoted (`Forwarded`). Obfuscated or `unknown` hops are `None`.
fn hop_address(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim().trim_matches('"');
    if let Some(bracketed) = hop.strip_prefix('[') {
        return bracketed.split(']').next()?.parse().ok();
    }
    hop.parse().ok().or_else(|| {
        let (host, port) = hop.split_once(':')?;
        port.parse::<u16>().ok()?;
        host.parse().ok()
    })
}

impl TrustedProxy {
    pub fn trusts(&self, address: IpAddr) -> bool {
        let address = canonical(address);
        self.networks.iter().any(|n| n.contains(&address))
    }

    /// The hops the proxy's header lists, the nearest last.
    fn hops<'h>(&self, headers: &'h http::HeaderMap) -> Vec<&'h str> {
        let forwarded = self.client_header == http::header::FORWARDED;
        headers
            .get_all(&self.client_header)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|element| {
                if !forwarded {
                    return Some(element);
                }
                // RFC 7239: `for=…;proto=…;by=…`; only `for` names the hop.
                element.split(';').find_map(|pair| {
                    let (name, value) = pair.split_once('=')?;
                    name.trim().eq_ignore_ascii_case("for").then_some(value)
                })
            })
            .collect()
    }

    /// The address of the client behind `peer`. From a trusted proxy, it is the right-most hop of
    /// its header that is not itself a trusted proxy: the left part is whatever the client wrote,
    /// only the hops the trusted proxies appended can be believed. A hop that is not an address
    /// stops the walk at the last trusted one. From anyone else, it is the peer.
    pub fn client_address(&self, peer: IpAddr, headers: &http::HeaderMap) -> IpAddr {
        let mut client = canonical(peer);
        if !self.trusts(client) {
            return client;
        }
        for hop in self.hops(headers).into_iter().rev() {
            let Some(address) = hop_address(hop).map(canonical) else {
                break;
            };
            client = address;
            if !self.trusts(address) {
                break;
            }
        }
        client
    }
}
