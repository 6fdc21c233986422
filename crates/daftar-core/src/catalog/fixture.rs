//! A small valid catalog file for tests to break or extend.

/// A valid service file for `id`, as short as the format allows.
pub(super) fn valid(id: &str) -> String {
    r#"identifier = "@ID@"
group = "renewal_tolls"
owner_unit = "renewal_clearance"
audience = ["g2c"]
nature = "operational"
level = "city"
start = "on_request"
average_time = "instant"
hours = "around_the_clock"
in_person_visits = 0
fee = "free"
access = "internet"
electronic_status = "fully_electronic"
phone = "137"
sub_services = []
request_address = "/services/@ID@"
result_address = "/services/@ID@"
required_inputs = []

[title]
fa = "خدمت آزمایشی"
en = "Test service"

[description]
fa = "شرح"
en = "Description"

[rules]
fa = "قانون شهرداری‌ها"
en = "The Municipalities Act"

[complaint_channel]
fa = "واحد بازرسی"
en = "Internal inspection"

[user_guide]
path = "/guides/test.pdf"

[sla]
fa = "توافق‌نامه"

[form]
fields = []
documents = []
"#
    .replace("@ID@", id)
}
