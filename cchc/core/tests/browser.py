"""What the browser tests share: switching the theme as a person does."""


def set_theme(page, theme: str) -> None:
    """Switch to "high" or "normal" contrast with the toolbar's button, unfolding the
    accessibility tools first where a narrow screen folds them ("Hỗ trợ tiếp cận")."""
    if (page.locator("html").get_attribute("data-contrast") == "high") == (theme == "high"):
        return
    toggle = page.get_by_role("button", name="Tương phản cao")
    if not toggle.is_visible():
        page.get_by_text("Hỗ trợ tiếp cận", exact=True).click()
    toggle.click()
