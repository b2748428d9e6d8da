import NetloomCLI

await NetloomCLI.run()
