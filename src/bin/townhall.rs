//! Entry point of the town hall app, built by Trunk from
//! `townhall/index.html` and served under `/townhall`.

fn main() {
    thamgia::run_townhall();
}
