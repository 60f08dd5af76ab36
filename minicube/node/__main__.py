from minicube.node.supervisor import main

main()
