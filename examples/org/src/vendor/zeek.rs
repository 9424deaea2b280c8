//! Zeek `dns.log` and `ssl.log` rows in Zeek's tab-separated format, with
//! the header lines of a log file.

use crate::logs::{Micros, format_time};

const DNS_FIELDS: &str = "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\ttrans_id\trtt\tquery\tqclass\tqclass_name\tqtype\tqtype_name\trcode\trcode_name\tAA\tTC\tRD\tRA\tZ\tanswers\tTTLs\trejected";
const DNS_TYPES: &str = "time\tstring\taddr\tport\taddr\tport\tenum\tcount\tinterval\tstring\tcount\tstring\tcount\tstring\tcount\tstring\tbool\tbool\tbool\tbool\tcount\tvector[string]\tvector[interval]\tbool";
const SSL_FIELDS: &str = "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tversion\tcipher\tcurve\tserver_name\tresumed\tlast_alert\tnext_protocol\testablished\tssl_history";
const SSL_TYPES: &str = "time\tstring\taddr\tport\taddr\tport\tstring\tstring\tstring\tstring\tbool\tstring\tstring\tbool\tstring";

/// The office's resolver.
pub const RESOLVER: &str = "10.20.0.2";

fn header(path: &str, open: Micros, fields: &str, types: &str) -> String {
    format!(
        "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n\
         #path\t{path}\n#open\t{}\n#fields\t{fields}\n#types\t{types}\n",
        format_time(open, "%Y-%m-%d-%H-%M-%S")
    )
}

/// The header lines of a `dns.log` opened at `open`.
pub fn dns_header(open: Micros) -> String {
    header("dns", open, DNS_FIELDS, DNS_TYPES)
}

/// The header lines of an `ssl.log` opened at `open`.
pub fn ssl_header(open: Micros) -> String {
    header("ssl", open, SSL_FIELDS, SSL_TYPES)
}

/// The closing line of a log.
pub fn close_line(at: Micros) -> String {
    format!("#close\t{}\n", format_time(at, "%Y-%m-%d-%H-%M-%S"))
}

fn ts(t: Micros) -> String {
    format!("{}.{:06}", t.div_euclid(1_000_000), t.rem_euclid(1_000_000))
}

/// A DNS `A` query from `device_ip` for `query`, answered with `answers`.
pub fn dns(
    t: Micros,
    uid: &str,
    device_ip: &str,
    port: u16,
    query: &str,
    answers: &[String],
) -> String {
    let (answers, ttls) = if answers.is_empty() {
        ("-".to_owned(), "-".to_owned())
    } else {
        (
            answers.join(","),
            vec!["300.000000"; answers.len()].join(","),
        )
    };
    let rcode = if answers == "-" {
        "3\tNXDOMAIN"
    } else {
        "0\tNOERROR"
    };
    format!(
        "{}\t{uid}\t{device_ip}\t{port}\t{RESOLVER}\t53\tudp\t{}\t0.012345\t{query}\t1\tC_INTERNET\t1\tA\t{rcode}\tF\tF\tT\tT\t0\t{answers}\t{ttls}\tF",
        ts(t),
        port.wrapping_mul(7919)
    )
}

/// A TLS session from `device_ip` to `server` named `server_name`.
pub fn ssl(
    t: Micros,
    uid: &str,
    device_ip: &str,
    port: u16,
    server: &str,
    server_name: &str,
) -> String {
    format!(
        "{}\t{uid}\t{device_ip}\t{port}\t{server}\t443\tTLSv13\tTLS_AES_128_GCM_SHA256\tx25519\t{server_name}\tF\t-\th2\tT\tCsiI",
        ts(t)
    )
}
