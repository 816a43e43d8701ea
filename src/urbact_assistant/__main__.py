from urbact_assistant.adapters.cli import main

main()
