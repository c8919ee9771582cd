"""English reason lexicon (see ``_lexicons/__init__.py`` for the format)."""

NEGATORS = "not never nothing neither nor without"
SKIP = """the a an so that really very too be is was were it its it's that's this
    just all even actually really much only main primary"""
POINTERS = "about because due to of with over for since reason why"
CAUSE = "because since due reason why main mainly primarily mostly cause"
CONTRAST = "but however although though yet whereas unfortunately"
PROBLEM = "problem issue reason concern factor deal dealbreaker"
FINE = """fine ok okay good great reasonable fair excellent helpful nice decent
    solid amazing awesome responsive friendly fantastic acceptable competitive"""

TERMS = {
    "price": """
        3 too expensive
        2 expensive
        3 overpriced
        2 pricey
        1.5 price
        1.5 pricing
        3 price increase
        3 price hike
        3 price rise
        3 rais* price
        3 increas* price
        3 price went up
        1.5 cost*
        1.5 cheap*
        1.5 too much
        2.5 not afford*
        3 unaffordable
        1 afford*
        2 budget*
        2.5 budget cut*
        2.5 cut cost*
        2 save money
        1.5 money
        1.5 spend*
        3 pay* too much
        2.5 not worth
        2 value for money
        1.5 fee*
        1.5 per seat
        1.5 per user
        1 discount*
        2 renewal price
    """,
    "missing_feature": """
        3 missing feature*
        1.5 missing
        1.5 feature*
        2 lack*
        2 lacks
        2.5 not have
        3 not support
        3 not integrate
        2 integrat*
        2 functionalit*
        1.5 capabilit*
        3 feature request*
        3 requested feature*
        2 roadmap
        1.5 limited
        2 limitation*
        3 too basic
        2 not flexible
        1.5 customi*
        1.5 api
        1.5 mobile app
        1 report*
        1 export*
        2.5 outgr*
        2 still no
        2 wish it had
        2 not available
        2 not offer
    """,
    "poor_support": """
        2 support
        3 customer service
        3 customer support
        3 support team
        1 service
        2 help desk
        1.5 help
        2.5 get help
        3 not reach
        2 live chat
        2 helpdesk
        3 poor service
        3 bad service
        3 terrible service
        1.5 respon*
        3 slow respon*
        3 response time*
        3 no respon*
        3 no reply
        3 no answer
        3 not respond*
        3 not answer*
        3 not reply
        3 not repl*
        3 never answer*
        3 never repl*
        3 never heard back
        3 not get back
        2 got back
        2 ticket*
        1.5 wait*
        3 rude
        3 unhelpful
        3 not helpful
        2.5 ignor*
        1.5 agent*
        2 account manager
        2 escalat*
        3 unresolved
        3 not resolved
        3 never resolved
        2.5 on hold
        1.5 no one
        1.5 nobody
    """,
    "technical_problems": """
        3 bug*
        3 crash*
        3 not work*
        3 stop* work*
        3 broken
        2 broke*
        3 downtime
        3 outage*
        1 down
        1.5 slow
        2 performance
        2 lag*
        3 glitch*
        3 error*
        3 unreliable
        2.5 reliabilit*
        3 unstable
        2 stabilit*
        2 sync*
        3 data loss
        3 lost data
        3 freez*
        2.5 time* out
        2.5 timeout*
        3 not load*
        1.5 loading
        2 quality
        3 low quality
        3 poor quality
        2 fail*
        2.5 technical
        1 issues
        1.5 login
        2 kept failing
        2 went down
    """,
    "switched_to_competitor": """
        3 switch* to
        2.5 switch*
        3 mov* to
        2.5 migrat*
        3 competitor*
        2.5 competition
        2.5 alternative*
        1.5 another
        3 another tool
        3 another provider
        3 another vendor
        3 another solution
        3 another platform
        3 another product
        3 another service
        3 different tool
        3 different provider
        3 different solution
        3 different platform
        3 different product
        3 different service
        3 different app
        3 different system
        3 one vendor
        3 one provider
        3 single vendor
        2.5 other tool
        2.5 other provider
        3 went with
        2.5 went back to
        2.5 spreadsheet*
        2 excel
        2 chose
        2 instead
        2 replac*
        3 found* better
        3 better option
        2 better deal
        2 consolidat*
        2.5 built our own
        2.5 in house
        2.5 signed with
    """,
    "no_longer_needed": """
        3 no longer need*
        3 not need*
        3 need* anymore
        3 no need
        1.5 anymore
        1.5 no longer
        3 not use
        3 not using
        3 not used
        3 unused
        3 rarely use
        3 rarely used
        3 barely use
        3 barely used
        3 hardly use
        3 hardly used
        3 stopped using
        3 stop using
        3 no use for
        3 project* end*
        3 project* finish*
        3 project* over
        1.5 project*
        2 seasonal
        3 too little
        3 never really used
        ~3 adopt*
        3 nobody log*
        3 no one log*
        3 anyone log*
        3 anyone us*
        2 retir*
        2 downsiz*
        2.5 pivot*
        3 no longer require*
        2 requirements changed
        2 done with
        2 one off
        2 one time
        1.5 enough usage
    """,
    "onboarding": """
        3 too complicated
        3 too complex
        2 non technical
        2.5 complicat*
        2.5 complex*
        3 confus*
        3 hard to use
        3 difficult to use
        2 hard to
        2 difficult*
        3 learning curve
        2 steep
        3 not understand*
        1.5 understand*
        3 figure out
        2.5 work out
        3 figure it out
        2.5 set up
        2.5 setup
        3 onboard*
        2.5 training
        2.5 tutorial*
        2 documentation
        2 docs
        3 not intuitive
        3 unintuitive
        3 overwhelm*
        3 too many options
        3 not user friendly
        1.5 clunky
        2.5 get started
        2.5 getting started
        3 too many settings
        1.5 settings
        1.5 how to
        2 implementation
        2 learn*
    """,
    "billing_payment": """
        3 invoice*
        3 billing
        2.5 bill*
        2.5 charg*
        3 double charg*
        3 charged twice
        3 refund*
        3 payment*
        1.5 pay
        2.5 card*
        2 declin*
        2.5 vat
        2 tax*
        2.5 receipt*
        3 auto renew*
        2 renew*
        3 wire transfer
        3 bank transfer
        3 paypal
        3 purchase order
        2.5 currency
        3 overcharg*
        3 payment method
        2 checkout
        3 prorat*
    """,
    "other": """
        2.5 clos* business
        2.5 closing down
        2 shut* down
        2.5 out of business
        2.5 bankrupt*
        1.5 temporar*
        2 paus*
        2.5 personal reason*
        2 acquired
        2 acquisition
        2 merg*
        1.5 policy
        1.5 legal
    """,
}
