from studydeck.cli import main

main()
