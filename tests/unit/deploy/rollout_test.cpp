#include "deploy/rollout.hpp"

#include <gtest/gtest.h>

namespace picket {
namespace {

TEST(FormatRollout, HostsWithNothingToRestartGoLiveInTheirOwnStep) {
  // Only files without a node restart (e.g. a firewall change on a bastion): no wave, but the
  // step still says where files go live.
  Rollout rollout(2);
  rollout[0].first_touch = {"bastion-1", "bastion-2"};
  rollout[1].wave.role = Role::validator;
  rollout[1].wave.nodes = {"validator"};
  rollout[1].first_touch = {"val-ams"};
  EXPECT_EQ(format_rollout(rollout),
            "Rollout: 2 steps\n"
            "  1. files only, no restart (files go live on bastion-1, bastion-2)\n"
            "  2. validator: validator (files go live on val-ams)\n");
}

}  // namespace
}  // namespace picket
