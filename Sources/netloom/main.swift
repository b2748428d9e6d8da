import NetloomCLI

await NetloomCommand.main()
