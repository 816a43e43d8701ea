def test_dbg(assistant):
    a = assistant.ask("asdkjh qwe")
    print("TEXT:", a.text, getattr(a, 'language', None))
