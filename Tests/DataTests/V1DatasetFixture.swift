// V1DatasetFixture.swift: a real version 1 dataset file, written before version 2 existed by
// `diptych data build shapes --count 3 --sizes 4,8` (commit 2e4fff3, main), its shapes-train.dptd
// (1,608 bytes) as base64, so the tests can check that old files still load.

import Foundation

enum V1DatasetFixture {
    static let base64 = """
        RFBUWURBVEEBAAAAAwAAAAMAAAACAAAABAAAAAgAAAAAAAAAAAAAAFUCAAAAAAAACAYAAAAAAACDzGnLxE7uvHsic291cmNlIjoi
        ZGlwdHljaCBkYXRhIGJ1aWxkIHNoYXBlcyAoc2hhcGVzIHdvcmxkIHYxLCBwb29sIHRyYWluaW5nKSIsInNoYXBlcyI6eyJzaXpl
        V29yZFByb2JhYmlsaXR5IjowLjUsIm1pblJlbGF0aW9uT2Zmc2V0Ijo2LCJtaW5Cb3JkZXIiOjEsIm1pbkdhcCI6Miwid2VpZ2h0
        cyI6eyJyZWxhdGlvbiI6Mywic2luZ2xlIjozLCJwYWlyIjoyLCJjb3VudFR3byI6MSwiY291bnRUaHJlZSI6MX0sImhlbGRPdXRQ
        YWlycyI6W3sic2hhcGUiOiJ0cmlhbmdsZSIsImNvbG9yIjoiYmx1ZSJ9LHsic2hhcGUiOiJjaXJjbGUiLCJjb2xvciI6Im9yYW5n
        ZSJ9LHsic2hhcGUiOiJjcm9zcyIsImNvbG9yIjoiZ3JlZW4ifSx7InNoYXBlIjoic3F1YXJlIiwiY29sb3IiOiJwdXJwbGUifSx7
        InNoYXBlIjoiZGlhbW9uZCIsImNvbG9yIjoieWVsbG93In1dLCJyZWZlcmVuY2VTaXplIjozMn0sInNlZWQiOjEsImluZm9Gb3Jt
        YXQiOiJvYmplY3RzIHNlcGFyYXRlZCBieSBcIjsgXCIsIGVhY2ggXCJjb2xvciBzaGFwZSBzaXplIHggeVwiIChib3ggY29ybmVy
        LCAzMngzMiByZWZlcmVuY2UgcGl4ZWxzKSIsInNwbGl0IjoidHJhaW4iLCJjb3JwdXMiOiJzaGFwZXMifQAAAAAAAAARAAAAHwAA
        AEIAAAB0d28gYmxhY2sgY3Jvc3Nlc2EgY3lhbiBkaWFtb25kYSBjeWFuIHRyaWFuZ2xlIGFuZCBhIGdyZWVuIGRpYW1vbmQAAAAA
        AAAAAAAALQAAAEUAAAB3AAAAYmxhY2sgY3Jvc3Mgc21hbGwgMjIgNzsgYmxhY2sgY3Jvc3MgbGFyZ2UgNyA3Y3lhbiBkaWFtb25k
        IHNtYWxsIDE0IDE2Y3lhbiB0cmlhbmdsZSBzbWFsbCA3IDE4OyBncmVlbiBkaWFtb25kIGxhcmdlIDE4IDMA////1dXV////8fHx
        1dXVLCwsoqKiubm5////q6ur////////////////////////////////////////////////////////////8vv8vOvx////////
        ////////////////////1+3a1+3a////////rtu2hsqR////vOvx////////8vv81/P3////////////////////////////////
        ////////////////8fHxx8fH////////1dXV////////8fHxnZ2dHh4ex8fHq6urLCws1dXV////x8fHHh4eHh4eHh4e////q6ur
        ////////////x8fHHh4e////////////////////////////////////////////////////////////////////////////////
        ////////////////////////////////////////////////////////////////////////////////////////////////////
        ////////////////////////////////////////////////////////////////////////1/P3Xs7d8vv8////////////////
        ////8vv8lN/p////////////////////////////////////////////////////////////////////////////////////////
        ////////////8vnz////////////////////////ecSFULJh8vnz////////////////yefOKKA8KKA8lNCe////////////////
        ////rtu2ecSF////////////5Pf5////////////////////////////Q8bY5Pf5////////////////////8vv8ye/05Pf5////
        ////////////////////////////////////////////
        """

    static var bytes: [UInt8] { [UInt8](Data(base64Encoded: base64.replacingOccurrences(of: "\n", with: "").replacingOccurrences(of: " ", with: ""))!) }
}
