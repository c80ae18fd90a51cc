"""The admin invites a new delegate; the Celery worker delivers the email over
SMTP; the link in it sets the password once; the delegate logs in."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.ui import choose, login

EMAIL = "new.delegate@kz.example.org"
PASSWORD = "Steppe-Eagle-2026!"


def test_invited_delegate_sets_a_password_from_the_emailed_link(open_page, live):
    admin = open_page("admin@secretariat.example.org")
    admin.goto("/admin/users")
    admin.get_by_role("link", name="Invite a user").click()
    form = admin.get_by_role("main")
    form.get_by_label("Email", exact=True).fill(EMAIL)
    form.get_by_label("Name", exact=True).fill("Aigerim Nurlanovna")
    choose(form.get_by_label("Member state", exact=True), "Kazakhstan")
    form.get_by_label("Language", exact=True).select_option("en")
    form.get_by_label("Time zone", exact=True).fill("Asia/Almaty")
    admin.get_by_role("button", name="Send the invitation").click()
    expect(admin.get_by_text("The invitation is sent.").first).to_be_visible()

    message = live.smtp.wait_for(EMAIL)  # sent by the worker, not the web process
    text = message.get_body(preferencelist=("plain",)).get_content()
    link = re.search(rf"{re.escape(live.url)}/account/setup/\S+", text).group(0)

    visitor = open_page()
    visitor.goto(link)
    expect(visitor.get_by_role("heading", name="Welcome to Konsey")).to_be_visible()
    visitor.get_by_label("New password", exact=True).fill(PASSWORD)
    visitor.get_by_label("Repeat the new password").fill(PASSWORD)
    visitor.get_by_role("button", name="Save the password").click()
    expect(visitor.get_by_text("Your password is set. You can log in now.").first).to_be_visible()

    login(visitor, EMAIL, PASSWORD)
    expect(visitor.get_by_role("banner")).to_contain_text("Aigerim Nurlanovna")

    # The link worked once.
    again = open_page()
    response = again.goto(link)
    assert response.status == 400
    expect(again.get_by_role("main")).to_contain_text("not valid or has already been used")
