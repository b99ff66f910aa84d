// sdkcheck: what a Cosmos SDK node makes of an app.toml at start, through the SDK's own code
// (the line is the cosmos-sdk version this is built against; tests/lab/tools.sh builds one
// binary per SDK line picket renders for). It reads the file as `<app> start` does (viper),
// then runs the SDK's start-up checks of it in turn: server/config GetConfig and
// Config.ValidateBasic (start's "error in app config"), server.GetPruningOptionsFromFlags
// (DefaultBaseappOptions panics on its error) and baseapp.SetMinGasPrices (panics on a price
// it cannot parse). Prints "accepted", or the SDK's message and exits 1.
// Usage: sdkcheck APP_TOML
package main

import (
	"fmt"
	"os"

	"github.com/cosmos/cosmos-sdk/baseapp"
	"github.com/cosmos/cosmos-sdk/server"
	"github.com/cosmos/cosmos-sdk/server/config"
	"github.com/spf13/cast"
	"github.com/spf13/viper"
)

func refuse(msg string) {
	fmt.Println(msg)
	os.Exit(1)
}

// minGasPrices runs baseapp.SetMinGasPrices, which panics on a price it cannot parse.
func minGasPrices(prices string) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	baseapp.SetMinGasPrices(prices)
	return ""
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: sdkcheck APP_TOML")
		os.Exit(64)
	}
	v := viper.New()
	v.SetConfigFile(os.Args[1])
	if err := v.ReadInConfig(); err != nil {
		refuse(fmt.Sprintf("failed to merge configuration: %v", err))
	}
	conf, err := config.GetConfig(v)
	if err != nil {
		refuse(err.Error())
	}
	if err := conf.ValidateBasic(); err != nil {
		refuse(err.Error())
	}
	if _, err := server.GetPruningOptionsFromFlags(v); err != nil {
		refuse(err.Error())
	}
	if msg := minGasPrices(cast.ToString(v.Get(server.FlagMinGasPrices))); msg != "" {
		refuse(msg)
	}
	fmt.Println("accepted")
}
