//! EXPOSE port specs: `80`, `53/udp`, `8000-8010/tcp` (host parts allowed
//! and ignored, as the reference does).

use std::net::IpAddr;

/// Most ports one EXPOSE may list, counting repeats: every port of every
/// protocol once. Not a limit of the reference, which writes each listed
/// port into the history text, so `EXPOSE 1-65535` a thousand times
/// takes gigabytes there.
pub(crate) const MAX_LISTED_PORTS: u64 = 3 * 65536;

/// One spec: an inclusive range and its protocol.
struct PortRange {
    start: u32,
    end: u32,
    proto: String,
}

/// Each spec becomes one `port/proto` per port of its range. Ranges are
/// all checked and counted before any is spelled out.
pub(crate) fn parse_ports(specs: &[String]) -> Result<Vec<String>, String> {
    let mut ranges = Vec::with_capacity(specs.len());
    let mut listed: u64 = 0;
    for spec in specs {
        let range = parse_port(spec).map_err(|e| format!("invalid port {spec:?}: {e}"))?;
        listed += u64::from(range.end - range.start) + 1;
        if listed > MAX_LISTED_PORTS {
            return Err(format!(
                "lists more than {MAX_LISTED_PORTS} ports (each port of each protocol once is at most {MAX_LISTED_PORTS})"
            ));
        }
        ranges.push(range);
    }
    Ok(ranges
        .iter()
        .flat_map(|r| {
            (r.start..=r.end).map(move |p| {
                let mut port = p.to_string();
                port.push('/');
                port.push_str(&r.proto);
                port
            })
        })
        .collect())
}

fn parse_port(raw: &str) -> Result<PortRange, String> {
    let parts: Vec<&str> = raw.split(':').collect();
    let (ip, host_port, container) = match parts.as_slice() {
        [c] => (String::new(), "", *c),
        [h, c] => (String::new(), *h, *c),
        [rest @ .., h, c] => (rest.join(":"), *h, *c),
        [] => (String::new(), "", ""),
    };
    let (port, proto) = container.split_once('/').unwrap_or((container, ""));
    if port.is_empty() {
        return Err("no port specified".to_string());
    }
    let proto = match proto.to_lowercase().as_str() {
        "" => "tcp".to_string(),
        p @ ("tcp" | "udp" | "sctp") => p.to_string(),
        _ => return Err(format!("invalid proto: {proto}")),
    };
    if !ip.is_empty() {
        let bare = ip.trim_start_matches('[').trim_end_matches(']');
        if bare.parse::<IpAddr>().is_err() {
            return Err(format!("invalid IP address: {ip}"));
        }
    }
    let (start, end) = port_range(port).map_err(|_| format!("invalid containerPort: {port}"))?;
    if !host_port.is_empty() {
        let (hs, he) =
            port_range(host_port).map_err(|_| format!("invalid hostPort: {host_port}"))?;
        if end - start != he - hs && end != start {
            return Err(format!(
                "invalid ranges specified for container and host Ports: {port} and {host_port}"
            ));
        }
    }
    Ok(PortRange { start, end, proto })
}

fn port_range(text: &str) -> Result<(u32, u32), ()> {
    let number = |s: &str| s.parse::<u32>().ok().filter(|p| *p <= 65535).ok_or(());
    match text.split_once('-') {
        None => number(text).map(|p| (p, p)),
        Some((a, b)) if a == b => number(a).map(|p| (p, p)),
        Some((a, b)) => {
            let (s, e) = (number(a)?, number(b)?);
            if e < s { Err(()) } else { Ok((s, e)) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ports(specs: &[&str]) -> Result<Vec<String>, String> {
        parse_ports(&specs.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn ranges_and_protocols() {
        assert_eq!(
            ports(&["80", "53/UDP", "8000-8002/tcp"]).unwrap(),
            ["80/tcp", "53/udp", "8000/tcp", "8001/tcp", "8002/tcp"]
        );
        assert_eq!(ports(&["127.0.0.1:8080:80"]).unwrap(), ["80/tcp"]);
    }

    #[test]
    fn every_port_once_is_fine_more_is_refused_before_spelling_out() {
        let all = ["1-65535", "0", "0-65535/udp", "0-65535/sctp"];
        assert_eq!(ports(&all).unwrap().len(), 65536 * 3);
        let err = ports(&[all.as_slice(), &["80"]].concat()).unwrap_err();
        assert!(err.contains("lists more than 196608 ports"), "{err}");
        let hostile: Vec<&str> = vec!["1-65535"; 1000];
        assert!(ports(&hostile).is_err());
    }

    #[test]
    fn rejects_bad_specs() {
        for bad in ["", "80/xyz", "70000", "90-80", "x"] {
            assert!(ports(&[bad]).is_err(), "{bad}");
        }
    }
}
