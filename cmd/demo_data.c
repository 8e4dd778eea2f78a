/* The sample tracker that tally demo builds: a small web shop's QA. */
#include "cmd/tally.h"

const struct tl_demo_file tl_demo_files[] = {
	{ "tally.yaml",
		"tally: 1\n"
		"name: Acme Shop QA\n"
		"default-project: web\n"
		"fields:\n"
		"- name: component\n"
		"  type: enum\n"
		"  values: [auth, billing, search]\n"
		"  'on': [case, run]\n"
		"- name: ticket\n"
		"  type: text\n"
		"  pattern: ^[A-Z]+-[0-9]+$\n"
		"  'on': [run, result, requirement]\n"
		"defects:\n"
		"  pattern: \\b[A-Z][A-Z0-9]+-[0-9]+\\b\n"
		"  url: https://tracker.example/browse/{key}\n",
		"init tracker in qa/" },
	{ "web/project.yaml",
		"title: Acme web shop\n"
		"description: The customer-facing web shop.\n"
		"owner: alice@example.com\n",
		NULL },
	{ "web/requirements/REQ-1.yaml",
		"title: Users sign in with email and password\n"
		"status: approved\n"
		"priority: critical\n"
		"fields: {ticket: SHOP-101}\n",
		"new requirement REQ-1" },
	{ "web/requirements/REQ-2.yaml",
		"title: Refunds return the money to the original payment method\n"
		"status: approved\n"
		"priority: high\n",
		"new requirement REQ-2" },
	{ "web/requirements/REQ-3.yaml",
		"title: Search finds products by name and category\n"
		"status: draft\n"
		"priority: medium\n",
		"new requirement REQ-3" },
	{ "web/cases/auth/_suite.yaml",
		"title: Authentication\n"
		"description: Sign-in, sign-out and password recovery.\n"
		"owner: alice@example.com\n",
		"new suite auth" },
	{ "web/cases/auth/login/valid-password.yaml",
		"title: Login with a valid password\n"
		"type: manual\n"
		"priority: high\n"
		"owner: alice@example.com\n"
		"tags: [smoke, auth]\n"
		"requirements: [REQ-1]\n"
		"preconditions: |\n"
		"  A user alice exists.\n"
		"steps:\n"
		"- action: Open /login and submit alice's password\n"
		"  expected: The dashboard is shown\n"
		"fields: {component: auth}\n",
		"new case auth/login/valid-password" },
	{ "web/cases/auth/login/wrong-password.yaml",
		"title: Login with a wrong password is refused\n"
		"type: automated\n"
		"priority: high\n"
		"owner: alice@example.com\n"
		"tags: [auth]\n"
		"requirements: [REQ-1]\n"
		"automation: com.acme.auth.LoginTest.testWrongPassword\n"
		"fields: {component: auth}\n",
		"new case auth/login/wrong-password" },
	{ "web/cases/auth/password-reset.yaml",
		"title: Reset a forgotten password by email\n"
		"type: manual\n"
		"priority: medium\n"
		"owner: bob@example.com\n"
		"tags: [auth, email]\n"
		"requirements: [REQ-1]\n"
		"steps:\n"
		"- action: Ask for a reset link on /forgot\n"
		"  expected: An email with a link arrives\n"
		"- action: Follow the link and set a new password\n"
		"  expected: The new password signs in\n"
		"fields: {component: auth}\n",
		"new case auth/password-reset" },
	{ "web/cases/billing/refunds/full.yaml",
		"title: Full refund of a paid order\n"
		"type: manual\n"
		"priority: critical\n"
		"owner: bob@example.com\n"
		"tags: [smoke, billing]\n"
		"requirements: [REQ-2]\n"
		"steps:\n"
		"- action: Refund a paid order in full from the admin page\n"
		"  expected: The order shows Refunded and the card is credited\n"
		"fields: {component: billing}\n",
		"new case billing/refunds/full" },
	{ "web/cases/billing/refunds/partial.yaml",
		"title: Partial refund keeps the rest charged\n"
		"type: automated\n"
		"priority: high\n"
		"owner: bob@example.com\n"
		"tags: [billing]\n"
		"requirements: [REQ-2]\n"
		"automation: com.acme.billing.RefundTest.testPartialRefund\n"
		"fields: {component: billing}\n",
		"new case billing/refunds/partial" },
	{ "web/cases/search/by-name.yaml",
		"title: Search by product name\n"
		"type: automated\n"
		"priority: medium\n"
		"tags: [search, smoke]\n"
		"requirements: [REQ-3]\n"
		"automation: search.spec.ts > finds products by name\n"
		"fields: {component: search}\n",
		"new case search/by-name" },
	{ "web/cases/search/empty-query.yaml",
		"title: An empty query shows the popular products\n"
		"type: manual\n"
		"priority: low\n"
		"tags: [search]\n"
		"fields: {component: search}\n",
		"new case search/empty-query" },
	{ "web/releases/1.0.0.yaml",
		"title: Release 1.0\n"
		"description: The first public release of the shop.\n"
		"status: active\n"
		"due: 2026-12-15\n",
		"new release 1.0.0" },
	{ "web/defects/refund-times-out-7kq2.yaml",
		"title: Refund to a card times out\n"
		"description: The payment provider call takes over 30 s.\n"
		"severity: critical\n"
		"status: open\n"
		"created: 2026-11-20T10:05:00Z\n",
		"new defect refund-times-out-7kq2" },
	{ "web/runs/smoke-2026-11-19/run.yaml",
		"title: Smoke check after deploy\n"
		"created: 2026-11-19T16:00:00Z\n"
		"created-by: Bob <bob@example.com>\n"
		"sources:\n"
		"  cases: [auth/login/valid-password, search/by-name]\n"
		"cases: [auth/login/valid-password, search/by-name]\n"
		"environment: {browser: firefox 131}\n"
		"closed: true\n",
		"new run smoke-2026-11-19" },
	{ "web/runs/smoke-2026-11-19/results/auth/login/valid-password.yaml",
		"status: passed\n"
		"duration: 42\n"
		"assignee: bob@example.com\n"
		"started: 2026-11-19T16:05:00Z\n",
		"record auth/login/valid-password passed in smoke-2026-11-19" },
	{ "web/runs/smoke-2026-11-19/results/search/by-name.yaml",
		"status: failed\n"
		"duration: 3.2\n"
		"started: 2026-11-19T16:07:00Z\n"
		"message: expected 12 results, got 0\n",
		"record search/by-name failed in smoke-2026-11-19" },
	{ "web/runs/release-1.0-regression/run.yaml",
		"title: Release 1.0 regression\n"
		"description: Full regression of sign-in, billing and search before 1.0.\n"
		"release: 1.0.0\n"
		"created: 2026-11-20T09:00:00Z\n"
		"created-by: Alice <alice@example.com>\n"
		"sources:\n"
		"  suites: [auth, billing]\n"
		"  requirements: [REQ-3]\n"
		"cases: [auth/login/valid-password, auth/login/wrong-password, "
		"auth/password-reset, billing/refunds/full, billing/refunds/partial, "
		"search/by-name]\n"
		"assignees: {auth/password-reset: bob@example.com, billing/refunds/full: bob@example.com}\n"
		"environment: {browser: chromium 131, os: linux}\n"
		"revision: 4f2a9c1\n"
		"closed: false\n",
		"new run release-1.0-regression" },
	{ "web/runs/release-1.0-regression/results/auth/login/valid-password.yaml",
		"status: passed\n"
		"duration: 35\n"
		"assignee: alice@example.com\n"
		"started: 2026-11-20T09:10:00Z\n",
		"record auth/login/valid-password passed in release-1.0-regression" },
	{ "web/runs/release-1.0-regression/results/auth/login/wrong-password.yaml",
		"status: passed\n"
		"duration: 1.2\n"
		"started: 2026-11-20T09:11:00Z\n"
		"retries:\n"
		"- {status: failed, duration: 30, message: timed out after 30s}\n",
		"record auth/login/wrong-password passed in release-1.0-regression" },
	{ "web/runs/release-1.0-regression/results/auth/password-reset.yaml",
		"status: blocked\n"
		"assignee: bob@example.com\n"
		"started: 2026-11-20T09:30:00Z\n"
		"message: the staging mail server is down\n"
		"defects: [MAIL-12]\n",
		"record auth/password-reset blocked in release-1.0-regression" },
	{ "web/runs/release-1.0-regression/results/billing/refunds/full.yaml",
		"status: failed\n"
		"duration: 30.4\n"
		"assignee: bob@example.com\n"
		"started: 2026-11-21T10:02:11Z\n"
		"message: refund request timed out after 30s\n"
		"type: TimeoutError\n"
		"trace: |\n"
		"  TimeoutError: refund request timed out after 30s\n"
		"    at refund.spec.ts:41\n"
		"defects: [refund-times-out-7kq2]\n",
		"record billing/refunds/full failed in release-1.0-regression" },
	{ "web/runs/release-1.0-regression/results/search/by-name.yaml",
		"status: failed\n"
		"duration: 2.9\n"
		"started: 2026-11-21T10:20:00Z\n"
		"message: expected 12 results, got 0\n",
		"record search/by-name failed in release-1.0-regression" },
	{ NULL, NULL, NULL },
};

/* Reports the demo imports, as CI would write them. */
const char tl_demo_junit[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<testsuites>\n"
	"  <testsuite name=\"com.acme\" tests=\"5\">\n"
	"    <testcase classname=\"com.acme.auth.LoginTest\" name=\"testWrongPassword\" time=\"0.8\"/>\n"
	"    <testcase classname=\"com.acme.auth.LoginTest\" name=\"testLockout\" time=\"1.1\"/>\n"
	"    <testcase classname=\"com.acme.billing.RefundTest\" name=\"testPartialRefund\" time=\"2.4\">\n"
	"      <failure message=\"expected 50.00, got 0.00\" type=\"AssertionError\">AssertionError: expected 50.00, got 0.00\n"
	"    at RefundTest.java:88</failure>\n"
	"    </testcase>\n"
	"    <testcase classname=\"com.acme.billing.RefundTest\" name=\"testRefundTwice\" time=\"0.3\">\n"
	"      <skipped message=\"needs the sandbox account\"/>\n"
	"    </testcase>\n"
	"    <testcase classname=\"com.acme.billing.InvoiceTest\" name=\"testVatRounding\" time=\"0.1\">\n"
	"      <flakyFailure message=\"rounding drifted\" type=\"AssertionError\"/>\n"
	"    </testcase>\n"
	"  </testsuite>\n"
	"</testsuites>\n";

const char tl_demo_tap[] =
	"TAP version 14\n"
	"1..3\n"
	"ok 1 - search.spec.ts > finds products by name\n"
	"not ok 2 - search.spec.ts > ranks exact matches first\n"
	"  ---\n"
	"  message: expected 'Red shoes' first, got 'Shoe polish'\n"
	"  duration_ms: 412\n"
	"  ...\n"
	"ok 3 - search.spec.ts > suggests on typos # TODO fuzzy search\n";
