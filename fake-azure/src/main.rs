//! `cargo run -p fake-azure -- --port N [--login-port N] [--redirect-uri U]... [--pending-polls N]
//! [--retry-after S] [--large-rule N] [--large-estate N] [--token T]`: serves the fake ARM and the fake Entra
//! login on 127.0.0.1 until Ctrl-C, printing each request it receives.

use fake_azure::{FakeAzure, Options, CLIENT_ID, DEFAULT_TOKEN};

const USAGE: &str =
    "usage: fake-azure [--port N] [--login-port N] [--redirect-uri U]... [--pending-polls N] \
                     [--retry-after S|none] [--large-rule N] [--large-estate N] [--token T]";

fn main() {
    let mut opts = Options::default();
    let (mut port, mut login_port, mut token) = (0u16, 0u16, DEFAULT_TOKEN.to_string());
    let mut redirect_uris: Vec<String> = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().unwrap_or_else(|| usage());
        let num = |v: &str| v.parse::<usize>().unwrap_or_else(|_| usage());
        match flag.as_str() {
            "--port" => port = num(&value) as u16,
            "--login-port" => login_port = num(&value) as u16,
            "--redirect-uri" => redirect_uris.push(value),
            "--pending-polls" => opts.pending_polls = num(&value) as u32,
            "--retry-after" => opts.retry_after = (value != "none").then_some(value),
            "--large-rule" => opts.large_rule = Some(num(&value)),
            "--large-estate" => opts.large_estate = Some(num(&value)),
            "--token" => token = value,
            _ => usage(),
        }
    }
    let azure = FakeAzure::start_on_ports(opts, port, login_port).unwrap_or_else(|e| {
        eprintln!("fake-azure: cannot listen on 127.0.0.1:{port} and :{login_port}: {e}");
        std::process::exit(1)
    });
    azure.set_token(&token);
    azure.set_redirect_uris(&redirect_uris.iter().map(String::as_str).collect::<Vec<_>>());
    let redirects = if redirect_uris.is_empty() {
        "any http://127.0.0.1:* or http://localhost:*".to_string()
    } else {
        redirect_uris.join(", ")
    };
    println!(
        "fake ARM:      {}\nfake login:    {}\nclient id:     {CLIENT_ID}\nredirect URIs: {redirects}\nforeign host:  {}\ntoken:         {token}\nCtrl-C to stop.",
        azure.arm_url(),
        azure.login_url(),
        azure.foreign_url()
    );
    let mut seen = 0;
    loop {
        std::thread::sleep(std::time::Duration::from_millis(200));
        let log = azure.requests();
        for r in &log[seen.min(log.len())..] {
            let auth = if r.authorization.is_some() {
                "with token"
            } else {
                "no token"
            };
            println!(
                "{:?} {} {} ({auth})",
                r.listener, r.method, r.path_and_query
            );
        }
        seen = log.len();
    }
}

fn usage() -> ! {
    eprintln!("{USAGE}");
    std::process::exit(2)
}
