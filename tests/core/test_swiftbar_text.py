from codexbar.env import Env
from codexbar.render.swiftbar import Menu, clean_text


def test_dynamic_text_cannot_break_the_protocol():
    assert clean_text("5h | 7d") == "5h ¦ 7d"
    assert clean_text("line1\nline2\u2028x\rz") == "line1 line2 x z"
    assert clean_text("--- not a separator") == "\u2212-- not a separator"
    assert clean_text("C:\\path") == "C:\\\\path"


def test_params_are_quoted_and_filtered_for_xbar():
    sb = Menu(Env(environ={"SWIFTBAR": "1"}))
    sb.line("Open", href="https://x.test/?a=b", tooltip="two words", refresh=True)
    sb.line("at 12:30:00", color=("#111111", "#222222", "red"))
    assert sb.lines == ["Open | href=https://x.test/?a=b tooltip=\"two words\" refresh=true",
                        "at 12:30:00 | color=#111111,#222222 symbolize=false"]
    xb = Menu(Env(environ={"XBARDarkMode": "false"}))
    xb.line("Open", href="https://x.test", tooltip="dropped", sfimage="gauge", color=("#111111", "#222222", "red"))
    xb.line("Run", bash="/bin/echo", param1="hi")
    assert xb.lines == ["Open | href=https://x.test color=red", "Run | bash=/bin/echo param1=hi terminal=false"]
