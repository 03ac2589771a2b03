//! EXPOSE port specs: the protocol's case and host parts.

use stagecraft_syntax::Span;

use crate::config::CheckConfig;
use crate::finding::Collector;
use crate::rule::Rule;

/// Checks one expanded `[ip:][host:]port[/proto]` word. A spec the build
/// would reject is left to the build's error.
pub(crate) fn check(config: &CheckConfig, raw: &str, span: Span, out: &mut Collector) {
    let parts: Vec<&str> = raw.split(':').collect();
    let (ip, host, container) = match parts.as_slice() {
        [c] => ("".to_string(), "", *c),
        [h, c] => ("".to_string(), *h, *c),
        [rest @ .., h, c] => (rest.join(":"), *h, *c),
        [] => return,
    };
    let (port, proto) = container.split_once('/').unwrap_or((container, ""));
    if port.is_empty() || !matches!(proto.to_lowercase().as_str(), "" | "tcp" | "udp" | "sctp") {
        return;
    }
    if proto != proto.to_lowercase() {
        out.report(
            config,
            Rule::ExposeProtoCasing,
            span,
            format!("Defined protocol '{raw}' in EXPOSE instruction should be lowercase"),
        );
    }
    if !ip.is_empty() || !host.is_empty() {
        out.report(
            config,
            Rule::ExposeInvalidFormat,
            span,
            format!(
                "EXPOSE instruction should not define an IP address or host-port mapping, found '{raw}'"
            ),
        );
    }
}
