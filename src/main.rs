fn main() {
    println!("rswitch");
}
